// PatchSampler on hand-made subjects: brain-fraction rule, normalised targets and condition,
// determinism per generator seed, and pixels equal to a direct extraction.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <set>

#include "model/PatchExtractor.hpp"
#include "train/PatchSampler.hpp"

using namespace p2l;

namespace {

constexpr int H = 8, W = 10;

// Pixel (s, z, h, w) holds 1 + 1000 s + 100 z + 10 h + w, so any brain pixel names its slice.
// The mask is rows 2..5 x columns 3..8, except that slice 1 of every subject has no brain.
SubjectSlices subject(int s, int depth) {
  SubjectSlices out;
  out.id = "s" + std::to_string(s);
  out.depth = depth;
  out.height = H;
  out.width = W;
  for (int z = 0; z < depth; ++z)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        out.image.push_back(1 + 1000 * s + 100 * z + 10 * h + w);
        out.mask.push_back(z != 1 && h >= 2 && h <= 5 && w >= 3 && w <= 8);
      }
  return out;
}

std::vector<SubjectSlices> cohort() { return {subject(0, 4), subject(1, 5), subject(2, 3)}; }

TrainConfig config() {
  TrainConfig cfg;
  cfg.patch_fraction = 0.5;  // p = 4 on 8 x 10
  cfg.slices_per_step = 2;
  cfg.patches_per_step = 64;
  cfg.min_brain_fraction = 0.25;
  return cfg;
}

torch::Generator generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

}  // namespace

TEST(TrainSampler, KeptPatchesFollowTheRulesAndMatchDirectExtraction) {
  auto subjects = cohort();
  auto cfg = config();
  PatchSampler sampler(subjects, cfg, torch::kCPU);
  ASSERT_EQ(sampler.patch_size(), 4);

  // Everything stacked as the sampler sees it, for the direct extraction.
  std::vector<torch::Tensor> imgs, masks;
  std::vector<int> first;
  int total = 0;
  for (auto& s : subjects) {
    first.push_back(total);
    total += s.depth;
    imgs.push_back(torch::tensor(s.image).reshape({s.depth, H, W}));
    masks.push_back(torch::tensor(s.mask).reshape({s.depth, H, W}));
  }
  auto all_img = torch::cat(imgs), all_mask = torch::cat(masks);

  auto gen = generator(7);
  int seen = 0;
  for (int step = 0; step < 5; ++step) {
    auto b = sampler.sample(gen);
    const int64_t n = b.patches.size(0);
    ASSERT_LE(n, cfg.patches_per_step);  // some steps draw the brainless slice 1: fewer pass
    ASSERT_EQ(b.patches.sizes(), (std::vector<int64_t>{n, 1, 4, 4}));
    ASSERT_EQ(b.targets.sizes(), (std::vector<int64_t>{n, 2}));
    ASSERT_EQ(b.cond.sizes(), (std::vector<int64_t>{n}));
    std::set<int> slices_this_step;
    for (int64_t i = 0; i < n; ++i) {
      const int v = int(b.patches[i].max().item<float>()) - 1;  // a brain pixel names its slice
      const int s = v / 1000, z = (v % 1000) / 100;
      slices_this_step.insert(first[s] + z);
      const float ty = b.targets[i][0].item<float>(), tx = b.targets[i][1].item<float>();
      const int64_t y = std::lround(ty * H / 100.0), x = std::lround(tx * W / 100.0);
      ASSERT_TRUE(y >= 0 && y < H && x >= 0 && x < W) << ty << "," << tx;
      EXPECT_NEAR(ty, 100.0 * y / H, 1e-4);
      EXPECT_NEAR(tx, 100.0 * x / W, 1e-4);
      EXPECT_NEAR(b.cond[i].item<float>(), 100.0 * z / subjects[s].depth, 1e-4);
      auto direct = extract_patches(all_img, all_mask, torch::tensor({int64_t(first[s] + z)}),
                                    torch::tensor({y}), torch::tensor({x}), 4);
      EXPECT_GE(direct.brain_fraction[0].item<float>(), cfg.min_brain_fraction);
      EXPECT_TRUE(torch::equal(direct.patches[0], b.patches[i])) << "patch " << i;
      ++seen;
    }
    EXPECT_LE(slices_this_step.size(), size_t(cfg.slices_per_step));  // one slice per drawn volume
  }
  EXPECT_GT(seen, 0);
}

TEST(TrainSampler, SameSeedSameBatchOtherSeedOtherBatch) {
  PatchSampler sampler(cohort(), config(), torch::kCPU);
  auto g1 = generator(3141), g2 = generator(3141), g3 = generator(2718);
  auto a = sampler.sample(g1), b = sampler.sample(g2), c = sampler.sample(g3);
  EXPECT_TRUE(torch::equal(a.patches, b.patches));
  EXPECT_TRUE(torch::equal(a.targets, b.targets));
  EXPECT_TRUE(torch::equal(a.cond, b.cond));
  EXPECT_FALSE(torch::equal(a.targets, c.targets));
  // The generator advances: the next batch differs from the first.
  EXPECT_FALSE(torch::equal(sampler.sample(g1).targets, a.targets));
}

TEST(TrainSampler, CentresCoverTheWholeGridWithoutThreshold) {
  auto cfg = config();
  cfg.min_brain_fraction = 0.0;  // every candidate passes, including empty-slice and edge ones
  cfg.patches_per_step = 4000;
  PatchSampler sampler(cohort(), cfg, torch::kCPU);
  auto gen = generator(1);
  auto b = sampler.sample(gen);
  ASSERT_EQ(b.patches.size(0), 4000);
  auto y = (b.targets.select(1, 0) * H / 100).round();
  auto x = (b.targets.select(1, 1) * W / 100).round();
  EXPECT_EQ(y.min().item<float>(), 0);
  EXPECT_EQ(y.max().item<float>(), H - 1);
  EXPECT_EQ(x.min().item<float>(), 0);
  EXPECT_EQ(x.max().item<float>(), W - 1);
}

TEST(TrainSampler, StrictThresholdReturnsOnlyFullPatchesAndMayReturnFewer) {
  auto cfg = config();
  cfg.min_brain_fraction = 1.0;  // only centres with rows 4..5 and columns 5..8 qualify (p = 4)
  cfg.patches_per_step = 1000;   // more than can pass among 4000 candidates on 2 slices
  PatchSampler sampler(cohort(), cfg, torch::kCPU);
  auto gen = generator(5);
  auto b = sampler.sample(gen);
  EXPECT_GT(b.patches.size(0), 0);
  EXPECT_LT(b.patches.size(0), 1000);
  auto y = (b.targets.select(1, 0) * H / 100).round();
  auto x = (b.targets.select(1, 1) * W / 100).round();
  EXPECT_GE(y.min().item<float>(), 4);
  EXPECT_LE(y.max().item<float>(), 5);
  EXPECT_GE(x.min().item<float>(), 5);
  EXPECT_LE(x.max().item<float>(), 8);
  EXPECT_GT(b.patches.min().item<float>(), 0);  // no padding, no masked pixel
}

TEST(TrainSampler, KeepAllCandidatesTrainsOnEveryPassingCandidateAsThePublishedCode) {
  auto capped = config();  // 64 patches, 4 x 64 = 256 candidates a step
  auto all = capped;
  all.keep_all_candidates = true;
  PatchSampler a(cohort(), capped, torch::kCPU), b(cohort(), all, torch::kCPU);
  auto ga = generator(11), gb = generator(11);
  const auto pa = a.sample(ga), pb = b.sample(gb);
  // The same candidates are drawn; the cap only cuts the list of those that pass.
  EXPECT_EQ(pa.patches.size(0), 64);
  EXPECT_GT(pb.patches.size(0), 64);
  EXPECT_LE(pb.patches.size(0), 256);
  EXPECT_TRUE(torch::equal(pb.targets.slice(0, 0, 64), pa.targets));
  EXPECT_TRUE(torch::equal(pb.patches.slice(0, 0, 64), pa.patches));
  EXPECT_GE(pb.patches.flatten(1).gt(0).to(torch::kFloat).mean(1).min().item<float>(), 0.25f);
  // Without a brain rule every one of the 256 candidates is kept.
  all.min_brain_fraction = 0.0;
  PatchSampler c(cohort(), all, torch::kCPU);
  auto gc = generator(11);
  EXPECT_EQ(c.sample(gc).patches.size(0), 256);
}

TEST(TrainSampler, RejectsBadInput) {
  EXPECT_THROW(PatchSampler(std::vector<SubjectSlices>{}, config(), torch::kCPU), std::runtime_error);
  auto subjects = cohort();
  subjects.push_back(subject(3, 2));
  subjects.back().width = 9;
  try {
    PatchSampler(subjects, config(), torch::kCPU);
    FAIL() << "no throw";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("s3", 0), 0u) << e.what();
  }
}
