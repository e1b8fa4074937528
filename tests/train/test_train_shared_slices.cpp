// The training split held once per node (train/PackedSlices.hpp), on two Gloo ranks of one
// node run as threads: both ranks see exactly the private copy's slices, the sampler draws the
// same batches from either, the node's file is gone once mapped, and a folder that cannot hold
// it falls back to private copies with a warning.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <filesystem>

#include "store/Manifest.hpp"
#include "store/ShardFile.hpp"
#include "store/StoreReader.hpp"
#include "support/TempDir.hpp"
#include "support/ThreadRanks.hpp"
#include "train/PackedSlices.hpp"
#include "train/PatchSampler.hpp"

using namespace p2l;
using p2l::testing::on_two_thread_ranks;
using p2l::testing::TempDir;
namespace fs = std::filesystem;

namespace {

SubjectSlices subject(const std::string& id, int depth, int seed) {
  SubjectSlices s;
  s.id = id, s.split = "train";
  s.depth = depth, s.height = 24, s.width = 20;
  s.geom.size = {24, 20, size_t(depth)};
  s.geom.spacing = {1.5, 2.0, 3.0};
  for (int i = 0; i < depth * 24 * 20; ++i) {
    s.image.push_back(float((i * 37 + seed) % 101) / 100.f);
    s.mask.push_back(uint8_t((i / 20) % 24 > 3));  // rows 4..23 of every slice are brain
  }
  return s;
}

// A store with one split "train" of three subjects of different depths, in two shards.
std::string write_store(const std::string& dir) {
  fs::create_directories(dir);
  SubjectProvenance prov;
  {
    ShardWriter a(dir + "/s0.h5", 1);
    a.write(subject("A", 3, 1), prov);
    a.write(subject("B", 5, 2), prov);
    a.commit();
    ShardWriter b(dir + "/s1.h5", 1);
    b.write(subject("C", 2, 3), prov);
    b.commit();
  }
  Manifest m;
  m.split_order = {"train"};
  m.splits["train"] = {{"A", "A", "s0.h5", 3, 0, "", "", "", false},
                       {"B", "B", "s0.h5", 5, 0, "", "", "", false},
                       {"C", "C", "s1.h5", 2, 0, "", "", "", false}};
  m.shards = {{"s0.h5", 2}, {"s1.h5", 1}};
  write_manifest(dir, m);
  return dir;
}

bool holds_slices_file(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("p2l-slices-", 0) == 0) return true;
  return false;
}

}  // namespace

TEST(TrainSharedSlices, BothRanksMapThePrivateCopysSlicesAndTheFileIsGone) {
  TempDir tmp("p2l_shared_slices");
  const StoreReader store(write_store(tmp / "store"));
  const std::string shm = tmp / "shm";
  fs::create_directories(shm);
  const PackedSlices want = pack_slices(store.load_split("train"));
  TrainConfig cfg;
  cfg.patch_fraction = 0.25, cfg.slices_per_step = 2, cfg.patches_per_step = 8, cfg.min_brain_fraction = 0.5;
  auto first_batch = [&](PackedSlices p) {
    PatchSampler sampler(std::move(p), cfg, torch::kCPU);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    return sampler.sample(gen);
  };
  const PatchBatch private_batch = first_batch(pack_slices(store.load_split("train")));
  PackedSlices got[2];
  std::string warning[2];
  on_two_thread_ranks([&](Communicator& comm, int k) { got[k] = node_shared_slices(comm, store, "train", shm, warning[k]); });
  for (int k = 0; k < 2; ++k) {
    EXPECT_TRUE(warning[k].empty()) << warning[k];
    EXPECT_FALSE(got[k].shared_file.empty());
    EXPECT_EQ(got[k].first, (std::vector<int64_t>{0, 3, 8}));
    EXPECT_EQ(got[k].depth, (std::vector<int64_t>{3, 5, 2}));
    EXPECT_EQ(got[k].height, 24);
    EXPECT_EQ(got[k].width, 20);
    EXPECT_EQ(got[k].spacing, want.spacing);  // the first subject's, for the checkpoint's facts
    EXPECT_EQ(want.spacing, (std::array<double, 2>{1.5, 2.0}));
    EXPECT_TRUE(torch::equal(got[k].slices, want.slices)) << "rank " << k;
    EXPECT_TRUE(torch::equal(got[k].masks, want.masks)) << "rank " << k;
  }
  EXPECT_EQ(got[0].shared_file, got[1].shared_file);
  EXPECT_FALSE(holds_slices_file(shm)) << "the node's file must be removed once every rank mapped it";
  // Sampling from the mapping draws exactly what the private copy draws.
  const PatchBatch shared_batch = first_batch(std::move(got[1]));
  ASSERT_GT(private_batch.patches.size(0), 0);
  EXPECT_TRUE(torch::equal(shared_batch.patches, private_batch.patches));
  EXPECT_TRUE(torch::equal(shared_batch.targets, private_batch.targets));
}

TEST(TrainSharedSlices, AFolderThatCannotHoldTheFileFallsBackToPrivateCopies) {
  TempDir tmp("p2l_shared_slices");
  const StoreReader store(write_store(tmp / "store"));
  const std::string missing = tmp / "no/such/dir";
  const PackedSlices want = pack_slices(store.load_split("train"));
  PackedSlices got[2];
  std::string warning[2];
  on_two_thread_ranks([&](Communicator& comm, int k) { got[k] = node_shared_slices(comm, store, "train", missing, warning[k]); });
  EXPECT_NE(warning[0].find(missing), std::string::npos) << warning[0];  // local rank 0 wrote, and says why not
  EXPECT_NE(warning[0].find("every rank keeps its own copy"), std::string::npos) << warning[0];
  for (int k = 0; k < 2; ++k) {
    EXPECT_TRUE(got[k].shared_file.empty());
    EXPECT_TRUE(torch::equal(got[k].slices, want.slices)) << "rank " << k;
  }
}
