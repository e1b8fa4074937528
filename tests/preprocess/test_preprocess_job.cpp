// The p2l-preprocess stage logic in one process, without mpirun: run_preprocess_job over the
// one-process world SoloWorld (dist/SoloWorld.hpp) on a tiny cohort of 24 x 24 x 8 NIfTI
// volumes written below in the SPEC section 2 layout (DATA_DIR/splits/<split>.csv, paths
// relative to DATA_DIR). Checks the store it writes, a corrupt subject failing alone, a rerun
// that reuses everything, a rerun that recomputes only a changed input, and a job-level error.
// (The multi-rank runs are tests/scripts/test_preprocess_store.sh.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "dist/SoloWorld.hpp"
#include "io/Nifti.hpp"
#include "io/Volume.hpp"
#include "preprocess/PreprocessJob.hpp"
#include "preprocess/ResumeIndex.hpp"
#include "store/Checksum.hpp"
#include "store/Manifest.hpp"
#include "store/StoreReader.hpp"
#include "support/ErrorOf.hpp"
#include "support/TempDir.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

using p2l::testing::error_of;
using p2l::testing::TempDir;

// One split CSV row. `csv_contrast` is the contrast the CSV's img_path names: the published IXI
// splits name the T1 file and the job swaps it for the T2 one (data.modality=t2); only the T2
// image is written to disk.
struct Row {
  std::string group;     // folder under DATA_DIR, e.g. "Train/ixi"
  std::string sid;       // file stem of the subject
  std::string img_name;  // as the CSV gives it
  bool lesion = false;   // diseased: label 1 and a segmentation
  std::string csv_contrast = "t2";
};

Row healthy(const std::string& sid) { return {"Train/ixi", sid, sid, false}; }
Row tumour(const std::string& sid) { return {"Test/tumor", sid, sid, true}; }

const std::vector<std::string> kSplits = {"IXI_train_fold0", "IXI_val_fold0", "IXI_test", "tumor_test"};
// preprocess.image_dim = [20, 28, 6] crops H 24 -> 20, pads W 24 -> 28, crops Z 8 -> 6;
// preprocess.rescale_factor = 2 then halves H and W.
constexpr int kDepth = 6, kHeight = 10, kWidth = 14;

Geometry input_grid() {
  Geometry g;
  g.size = {24, 24, 8};
  g.spacing = {1.5, 1.5, 2.0};
  g.origin = {-10.0, 5.0, 3.0};
  return g;
}

std::string image_path(const std::string& data, const Row& r) {
  return (fs::path(data) / r.group / "t2" / (r.sid + "_t2.nii.gz")).string();
}

// An ellipsoidal brain with a radial intensity profile and deterministic texture; a bright
// lesion block in diseased subjects. `seed` varies the texture between subjects.
void write_subject(const std::string& data, const Row& r, int seed) {
  const Geometry g = input_grid();
  FloatVolume img(g);
  LabelVolume mask(g), seg(g);
  for (size_t k = 0; k < g.size[2]; ++k)
    for (size_t j = 0; j < g.size[1]; ++j)
      for (size_t i = 0; i < g.size[0]; ++i) {
        const double rad = std::sqrt(std::pow((i - 11.5) / 9, 2) + std::pow((j - 11.5) / 10, 2) +
                                     std::pow((k - 3.5) / 5, 2));
        const bool inside = rad < 1;
        const bool les = r.lesion && (int(i) - 14) * (int(i) - 14) + (int(j) - 10) * (int(j) - 10) < 9 &&
                         k >= 2 && k <= 5;
        const int texture = int((i * 7 + j * 13 + k * 29 + size_t(seed) * 31) % 17);
        float v = inside ? float(100 + 60 * (1 - rad) + texture) : float((i + j + k + size_t(seed)) % 5);
        if (les) v += 80;
        img.at(i, j, k) = v;
        mask.at(i, j, k) = inside ? 1 : 0;
        seg.at(i, j, k) = les ? 1 : 0;
      }
  write_nifti(image_path(data, r), img);
  write_nifti((fs::path(data) / r.group / "mask" / (r.sid + "_mask.nii.gz")).string(), mask);
  if (r.lesion) write_nifti((fs::path(data) / r.group / "seg" / (r.sid + "_seg.nii.gz")).string(), seg);
}

void write_split(const std::string& data, const std::string& name, const std::vector<Row>& rows) {
  fs::create_directories(fs::path(data) / "splits");
  std::ofstream f(fs::path(data) / "splits" / (name + ".csv"));
  f << "img_name,age,label,img_path,mask_path,seg_path\n";
  for (const auto& r : rows) {
    const std::string c = r.csv_contrast;
    f << r.img_name << ",40," << (r.lesion ? 1 : 0) << ",/" << r.group << "/" << c << "/" << r.sid << "_" << c
      << ".nii.gz,/" << r.group << "/mask/" << r.sid << "_mask.nii.gz,"
      << (r.lesion ? "/" + r.group + "/seg/" + r.sid + "_seg.nii.gz" : std::string()) << "\n";
  }
}

// The cohort: 3 training subjects (one in the published style: img_name "IXI002_t1.nii.gz",
// img_path to the T1 file), 1 validation, 1 healthy test, 2 tumour test subjects; no
// tumor_val.csv (optional: the split is left out). `extra_tumour` rows go between TUM0 and TUM1.
std::map<std::string, std::vector<Row>> write_cohort(const std::string& data,
                                                     const std::vector<Row>& extra_tumour = {}) {
  Row published{"Train/ixi", "IXI002", "IXI002_t1.nii.gz", false, "t1"};
  std::map<std::string, std::vector<Row>> splits = {
      {"IXI_train_fold0", {healthy("IXI000"), healthy("IXI001"), published}},
      {"IXI_val_fold0", {healthy("IXI003")}},
      {"IXI_test", {healthy("IXI004")}},
      {"tumor_test", {tumour("TUM0")}}};
  for (const auto& r : extra_tumour) splits["tumor_test"].push_back(r);
  splits["tumor_test"].push_back(tumour("TUM1"));
  int seed = 0;
  for (const auto& [name, rows] : splits) {
    write_split(data, name, rows);
    for (const auto& r : rows)
      if (r.sid != "BAD") write_subject(data, r, seed++);
  }
  return splits;
}

// The subject ids the store should list per split (clean ids: "IXI002_t1.nii.gz" -> "IXI002").
std::map<std::string, std::vector<std::string>> ids(const std::map<std::string, std::vector<Row>>& splits,
                                                    const std::string& leave_out = "") {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, rows] : splits)
    for (const auto& r : rows)
      if (r.sid != leave_out) out[name].push_back(r.sid);
  return out;
}

Config job_config(const std::string& data, const std::string& store) {
  Config c;
  c.data.data_dir = data;
  c.data.store_dir = store;
  c.apply_override("data.modality=t2");
  c.apply_override("data.test_sets=[tumor]");
  c.apply_override("data.keep_list=none");
  c.apply_override("preprocess.image_dim=[20, 28, 6]");
  c.apply_override("preprocess.rescale_factor=2");
  c.apply_override("preprocess.n4=false");
  c.apply_override("preprocess.curvature_flow=false");
  c.apply_override("preprocess.histogram_standardization=true");
  c.apply_override("run.threads=1");
  return c;
}

PreprocessSummary run_job(const std::string& data, const std::string& store,
                          const std::vector<std::string>& overrides = {}) {
  Config cfg = job_config(data, store);
  for (const auto& o : overrides) cfg.apply_override(o);
  SoloWorld world;
  return run_preprocess_job(cfg, world);
}

// Shard files in the store and the content hash of each.
std::map<std::string, std::string> shard_checksums(const std::string& store) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(store)) {
    const std::string name = e.path().filename().string();
    if (shard_run_number(name) >= 0) out[name] = file_checksum(e.path().string());
  }
  return out;
}

std::map<std::string, fs::file_time_type> shard_times(const std::string& store) {
  std::map<std::string, fs::file_time_type> out;
  for (const auto& e : fs::directory_iterator(store))
    if (shard_run_number(e.path().filename().string()) >= 0) out[e.path().filename().string()] = e.last_write_time();
  return out;
}

std::vector<std::string> manifest_ids(const Manifest& m, const std::string& split) {
  std::vector<std::string> out;
  auto it = m.splits.find(split);
  if (it != m.splits.end())
    for (const auto& s : it->second) out.push_back(s.id);
  return out;
}

// The store lists exactly `expected` per split, its shard table agrees with the subjects, and
// every subject loads with the preprocessed shape, in [0, 1] inside the brain and 0 outside.
void expect_store_holds(const std::string& store, const std::map<std::string, std::vector<std::string>>& expected) {
  const Manifest m = read_manifest(store);
  EXPECT_EQ(m.split_order, kSplits);
  long listed = 0;
  std::map<std::string, int> per_shard;
  for (const auto& split : kSplits) {
    EXPECT_EQ(manifest_ids(m, split), expected.at(split)) << split;
    for (const auto& s : m.splits.at(split)) {
      EXPECT_EQ(s.slices, kDepth) << split << "/" << s.id;
      EXPECT_EQ(s.label, split == "tumor_test" ? 1 : 0) << split << "/" << s.id;
      EXPECT_TRUE(fs::is_regular_file(fs::path(store) / s.shard)) << s.shard;
      ++per_shard[s.shard];
      ++listed;
    }
  }
  long in_shards = 0;
  for (const auto& sh : m.shards) {
    EXPECT_EQ(sh.subjects, per_shard[sh.file]) << sh.file;
    in_shards += sh.subjects;
  }
  EXPECT_EQ(in_shards, listed);
  EXPECT_EQ(m.shards.size(), per_shard.size());

  StoreReader reader(store);
  EXPECT_EQ(reader.splits(), kSplits);
  for (const auto& split : kSplits) {
    ASSERT_EQ(reader.subjects(split), expected.at(split)) << split;
    for (const auto& id : expected.at(split)) {
      const SubjectSlices s = reader.load(split, id);
      EXPECT_EQ(s.id, id);
      EXPECT_EQ(s.depth, kDepth) << split << "/" << id;
      EXPECT_EQ(s.height, kHeight) << split << "/" << id;
      EXPECT_EQ(s.width, kWidth) << split << "/" << id;
      const size_t n = size_t(kDepth) * kHeight * kWidth;
      ASSERT_EQ(s.image.size(), n);
      ASSERT_EQ(s.mask.size(), n);
      EXPECT_EQ(s.has_seg(), split == "tumor_test") << split << "/" << id;
      if (s.has_seg()) {
        EXPECT_EQ(s.seg.size(), n);
      }
      EXPECT_EQ(s.geom.size, (std::array<size_t, 3>{kHeight, kWidth, kDepth}));
      EXPECT_EQ(s.source_geom.size, input_grid().size);
      long brain = 0, bad = 0;
      for (size_t v = 0; v < n; ++v) {
        brain += s.mask[v];
        if (s.mask[v] ? !(s.image[v] >= 0 && s.image[v] <= 1) : s.image[v] != 0) ++bad;
      }
      EXPECT_GT(brain, 0) << split << "/" << id;
      EXPECT_EQ(bad, 0) << split << "/" << id << ": voxels outside [0, 1] in the brain or non-zero outside";
    }
  }
}

TEST(PreprocessJob, OneProcessWritesTheStoreOfEverySplit) {
  TempDir tmp("p2l_preprocess_job");
  const std::string data = tmp / "data", store = tmp / "store";
  const auto cohort = write_cohort(data);

  const PreprocessSummary sum = run_job(data, store);
  EXPECT_EQ(sum.total, 7);
  EXPECT_EQ(sum.stored, 7);
  EXPECT_EQ(sum.reused, 0);
  EXPECT_EQ(sum.failed, 0);  // p2l-preprocess exits 0
  EXPECT_EQ(sum.skipped, 0);

  const Manifest m = read_manifest(store);
  EXPECT_EQ(m.run, 1);
  EXPECT_EQ(m.world_size, 1);
  EXPECT_EQ(m.modality, "t2");
  EXPECT_TRUE(m.failures.empty());
  EXPECT_TRUE(m.skipped.empty());
  EXPECT_EQ(m.standard_landmarks.size(), Config().preprocess.histogram_landmarks.size());
  ASSERT_EQ(m.splits.count("tumor_val"), 0u);  // optional and missing: left out, not failed
  for (const auto& [split, subjects] : m.splits)
    for (const auto& s : subjects) EXPECT_FALSE(s.reused) << split << "/" << s.id;
  // The published-style row: clean id, the CSV's img_name kept, the T2 image read.
  const auto& train = m.splits.at("IXI_train_fold0");
  ASSERT_EQ(train.size(), 3u);
  EXPECT_EQ(train[2].id, "IXI002");
  EXPECT_EQ(train[2].img_name, "IXI002_t1.nii.gz");
  EXPECT_EQ(train[2].image_checksum, file_checksum(image_path(data, cohort.at("IXI_train_fold0")[2])));

  expect_store_holds(store, ids(cohort));
  EXPECT_TRUE(fs::is_regular_file(fs::path(store) / "config.yaml"));
  EXPECT_TRUE(fs::is_regular_file(fs::path(store) / "preprocess.log"));
  for (const auto& e : fs::directory_iterator(store))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "temporary left: " << e.path();
}

TEST(PreprocessJob, CorruptSubjectFailsAloneWithItsPathAndReason) {
  TempDir tmp("p2l_preprocess_job");
  const std::string data = tmp / "data", store = tmp / "store";
  const Row bad = tumour("BAD");
  const auto cohort = write_cohort(data, {bad});
  // BAD has a valid mask and segmentation but an image of garbage bytes named .nii.gz.
  write_subject(data, bad, 99);
  const std::string bad_image = image_path(data, bad);
  {
    std::ofstream f(bad_image, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 10; ++i) f << "\x1f\x8b this is not a gzip stream";
  }

  const PreprocessSummary sum = run_job(data, store);
  EXPECT_EQ(sum.total, 8);
  EXPECT_EQ(sum.stored, 7);
  EXPECT_EQ(sum.reused, 0);
  EXPECT_EQ(sum.failed, 1);  // p2l-preprocess exits 1

  const Manifest m = read_manifest(store);
  ASSERT_EQ(m.failures.size(), 1u);
  const ManifestFailure& f = m.failures[0];
  EXPECT_EQ(f.split, "tumor_test");
  EXPECT_EQ(f.id, "BAD");
  EXPECT_EQ(fs::path(f.path).lexically_normal().string(), fs::path(bad_image).lexically_normal().string());
  // The reason is the reader's message: the offending file, then why.
  EXPECT_EQ(f.reason.rfind(f.path + ": ", 0), 0u) << f.reason;
  EXPECT_GT(f.reason.size(), f.path.size() + 2) << f.reason;

  // Everyone else is stored, TUM1 after the failed row included.
  expect_store_holds(store, ids(cohort, "BAD"));
}

TEST(PreprocessJob, RerunOnACompleteStoreRecomputesNothing) {
  TempDir tmp("p2l_preprocess_job");
  const std::string data = tmp / "data", store = tmp / "store";
  const auto cohort = write_cohort(data);
  ASSERT_EQ(run_job(data, store).stored, 7);
  const Manifest first = read_manifest(store);
  const auto sums_before = shard_checksums(store);
  const auto times_before = shard_times(store);
  ASSERT_FALSE(sums_before.empty());
  const SubjectSlices tum_before = StoreReader(store).load("tumor_test", "TUM1");

  const PreprocessSummary sum = run_job(data, store);
  EXPECT_EQ(sum.total, 7);
  EXPECT_EQ(sum.stored, 0);
  EXPECT_EQ(sum.reused, 7);
  EXPECT_EQ(sum.failed, 0);

  const Manifest second = read_manifest(store);
  EXPECT_EQ(second.run, 2);
  EXPECT_EQ(second.config_hash, first.config_hash);
  EXPECT_EQ(second.standard_landmarks, first.standard_landmarks);
  for (const auto& split : kSplits) {
    const auto& a = first.splits.at(split);
    const auto& b = second.splits.at(split);
    ASSERT_EQ(a.size(), b.size()) << split;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_TRUE(b[i].reused) << split << "/" << b[i].id;
      EXPECT_EQ(b[i].shard, a[i].shard) << split << "/" << b[i].id;
      EXPECT_EQ(shard_run_number(b[i].shard), 1) << b[i].shard;
    }
  }
  // No shard was written, rewritten or removed.
  EXPECT_EQ(shard_checksums(store), sums_before);
  EXPECT_EQ(shard_times(store), times_before);

  expect_store_holds(store, ids(cohort));
  const SubjectSlices tum_after = StoreReader(store).load("tumor_test", "TUM1");
  EXPECT_EQ(tum_after.image, tum_before.image);
  EXPECT_EQ(tum_after.mask, tum_before.mask);
  EXPECT_EQ(tum_after.seg, tum_before.seg);
}

TEST(PreprocessJob, RerunRecomputesOnlyTheSubjectWhoseInputChanged) {
  TempDir tmp("p2l_preprocess_job");
  const std::string data = tmp / "data", store = tmp / "store";
  const auto cohort = write_cohort(data);
  ASSERT_EQ(run_job(data, store).stored, 7);
  const auto sums_before = shard_checksums(store);
  const std::vector<float> tum_before = StoreReader(store).load("tumor_test", "TUM1").image;

  write_subject(data, cohort.at("tumor_test").back(), 1234);  // TUM1 with another texture
  const PreprocessSummary sum = run_job(data, store);
  EXPECT_EQ(sum.stored, 1);
  EXPECT_EQ(sum.reused, 6);
  EXPECT_EQ(sum.failed, 0);

  const Manifest m = read_manifest(store);
  for (const auto& split : kSplits)
    for (const auto& s : m.splits.at(split)) {
      const bool changed = s.id == "TUM1";
      EXPECT_EQ(s.reused, !changed) << split << "/" << s.id;
      EXPECT_EQ(shard_run_number(s.shard), changed ? 2 : 1) << split << "/" << s.id << " in " << s.shard;
    }
  // The first run's shard is kept (it still holds the other six) and unchanged.
  for (const auto& [file, sum_before] : sums_before) {
    ASSERT_TRUE(fs::exists(fs::path(store) / file)) << file;
    EXPECT_EQ(file_checksum((fs::path(store) / file).string()), sum_before) << file;
  }
  expect_store_holds(store, ids(cohort));
  EXPECT_NE(StoreReader(store).load("tumor_test", "TUM1").image, tum_before);
}

TEST(PreprocessJob, MissingRequiredSplitIsAJobLevelError) {
  TempDir tmp("p2l_preprocess_job");
  const std::string data = tmp / "data", store = tmp / "store";
  write_cohort(data);
  const std::string csv = (fs::path(data) / "splits" / "IXI_val_fold0.csv").string();
  fs::remove(csv);
  const std::string e = error_of([&] { run_job(data, store); });
  EXPECT_NE(e.find(csv + ": split CSV not found"), std::string::npos) << e;
  EXPECT_NE(e.find("data.val_split"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(manifest_path(store)));
}

// Preprocessing fewer sets into a store keeps the splits it already holds (same settings), so
// a later evaluation of the other sets still finds them; drop_other_splits removes them, and a
// run with other settings cannot keep them.
TEST(PreprocessJob, ARunOfFewerSetsKeepsTheOtherSplitsOfTheStore) {
  TempDir tmp("p2l_preprocess_job");
  const std::string data = tmp / "data", store = tmp / "store";
  const auto cohort = write_cohort(data);
  ASSERT_EQ(run_job(data, store).stored, 7);
  const Manifest first = read_manifest(store);
  const SubjectSlices tum_before = StoreReader(store).load("tumor_test", "TUM1");

  const PreprocessSummary sum = run_job(data, store, {"data.test_sets=[]"});
  EXPECT_EQ(sum.total, 5);  // tumor_test is not preprocessed ...
  const Manifest second = read_manifest(store);
  expect_store_holds(store, ids(cohort));  // ... and is still in the store, after the run's own splits
  ASSERT_EQ(second.splits.at("tumor_test").size(), first.splits.at("tumor_test").size());
  for (size_t i = 0; i < second.splits.at("tumor_test").size(); ++i) {
    EXPECT_EQ(second.splits.at("tumor_test")[i].shard, first.splits.at("tumor_test")[i].shard);
    EXPECT_TRUE(second.splits.at("tumor_test")[i].reused);
  }
  const SubjectSlices tum_after = StoreReader(store).load("tumor_test", "TUM1");
  EXPECT_EQ(tum_after.image, tum_before.image);
  EXPECT_EQ(tum_after.seg, tum_before.seg);

  // Other settings: the old split would mix two preprocessings, so it is dropped.
  run_job(data, store, {"data.test_sets=[]", "preprocess.clip_percentiles=[2, 98]"});
  EXPECT_EQ(read_manifest(store).splits.count("tumor_test"), 0u);
  EXPECT_THROW(StoreReader(store).load("tumor_test", "TUM1"), std::runtime_error);

  // Told to drop: the split is gone though the settings match.
  run_job(data, store);
  ASSERT_EQ(read_manifest(store).splits.count("tumor_test"), 1u);
  run_job(data, store, {"data.test_sets=[]", "preprocess.drop_other_splits=true"});
  EXPECT_EQ(read_manifest(store).splits.count("tumor_test"), 0u);
}

}  // namespace
}  // namespace p2l
