// The whole generator on a tiny cohort (4 mm grid, one or two subjects per split).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cohort/CohortGenerator.hpp"
#include "config/Config.hpp"
#include "io/Nifti.hpp"
#include "io/SplitCsv.hpp"
#include "report/PngImage.hpp"

namespace fs = std::filesystem;
using namespace p2l;

namespace {

Config tiny(const fs::path& dir, long seed) {
  Config cfg;
  cfg.data.data_dir = dir.string();
  cfg.cohort.seed = seed;
  cfg.cohort.voxel_mm = 4.0;
  cfg.cohort.n_train = 4;
  cfg.cohort.n_val = 1;
  cfg.cohort.n_test_healthy = 1;
  cfg.cohort.n_test_per_set = 1;
  cfg.cohort.n_val_per_set = 1;
  cfg.cohort.preview_slices = 2;
  return cfg;
}

std::string bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path fresh(const std::string& name) {
  fs::path d = fs::temp_directory_path() / name;
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST(CohortGenerator, SameSeedByteIdenticalOtherSeedDifferent) {
  const fs::path a = fresh("test_cohort_gen_a"), b = fresh("test_cohort_gen_b"), c = fresh("test_cohort_gen_c");
  Config ca = tiny(a, 7), cb = tiny(b, 7), cc = tiny(c, 8);
  ca.run.threads = 2, cb.run.threads = 1, cc.run.threads = 2;
  ASSERT_TRUE(generate_cohort(ca).errors.empty());
  ASSERT_TRUE(generate_cohort(cb).errors.empty());  // other thread count: same bytes
  ASSERT_TRUE(generate_cohort(cc).errors.empty());
  size_t compared = 0;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (!e.is_regular_file() || e.path().filename() == "cohort.log") continue;
    const fs::path rel = fs::relative(e.path(), a);
    ASSERT_TRUE(fs::exists(b / rel)) << rel;
    EXPECT_EQ(bytes(e.path()), bytes(b / rel)) << rel;
    ++compared;
  }
  EXPECT_GT(compared, 40u);
  for (const char* f : {"Train/ixi/t1/IXI_sim_000_t1.nii.gz", "Test/tumor/seg/tumor_sim_000_seg.nii.gz",
                        "Test/ms/t2/ms_sim_000_t2.nii.gz", "Test/heterotopia/t1/heterotopia_sim_000_t1.nii.gz"})
    EXPECT_NE(bytes(a / f), bytes(c / f)) << f;
  for (const auto& d : {a, b, c}) fs::remove_all(d);
}

TEST(CohortGenerator, LayoutSplitsPreviewsAndRerun) {
  const fs::path dir = fresh("test_cohort_gen_layout");
  Config cfg = tiny(dir, 3);
  CohortSummary s = generate_cohort(cfg);
  ASSERT_TRUE(s.errors.empty()) << s.errors.front();
  EXPECT_FALSE(s.reused);
  EXPECT_EQ(s.subjects, 6u + 5 * 2);

  // Five folds over the pool of n_train + n_val = 5: each validates on one, trains on four, and
  // every pool subject validates exactly once.
  std::set<std::string> validated;
  for (int f = 0; f < 5; ++f) {
    auto train = read_split(dir.string(), "IXI_train_fold" + std::to_string(f));
    auto val = read_split(dir.string(), "IXI_val_fold" + std::to_string(f));
    EXPECT_EQ(train.size(), 4u);
    ASSERT_EQ(val.size(), 1u);
    validated.insert(val[0].id);
    for (const auto& r : train) {
      EXPECT_EQ(r.label, 0);
      EXPECT_TRUE(r.seg.empty());
      EXPECT_TRUE(r.age.has_value());
      EXPECT_NE(r.id, val[0].id);
      EXPECT_TRUE(fs::exists(r.image)) << r.image;
      EXPECT_NE(r.image.find("/Train/ixi/t1/" + r.id + "_t1.nii.gz"), std::string::npos);
      EXPECT_TRUE(fs::exists(r.mask));
    }
  }
  EXPECT_EQ(validated.size(), 5u);
  EXPECT_EQ(read_split(dir.string(), "IXI_test").size(), 1u);
  for (const char* set : {"tumor", "ms", "stroke", "wmh", "heterotopia"}) {
    for (const char* part : {"_test", "_val"}) {
      auto rows = read_split(dir.string(), std::string(set) + part);
      ASSERT_EQ(rows.size(), 1u) << set << part;
      EXPECT_EQ(rows[0].label, 1);
      EXPECT_TRUE(fs::exists(rows[0].seg)) << rows[0].seg;
      EXPECT_NE(rows[0].seg.find(std::string("/Test/") + set + "/seg/"), std::string::npos);
      // Image, mask and segmentation share one grid.
      Geometry gi = read_nifti_geometry(rows[0].image), gs = read_nifti_geometry(rows[0].seg);
      EXPECT_EQ(gi.mismatch(gs, 1e-4), "");
      EXPECT_NEAR(gi.spacing[0], 4.0, 1e-6);
    }
    RgbImage png = read_png((dir / "previews" / (std::string(set) + ".png")).string());
    EXPECT_GT(png.width, 100);
    bool red = false;
    for (int y = 0; y < png.height && !red; ++y)
      for (int x = 0; x < png.width && !red; ++x) red = png.get(x, y).r == 255 && png.get(x, y).g == 40;
    EXPECT_TRUE(red) << set << ": preview outlines the lesion";
  }
  EXPECT_TRUE(fs::exists(dir / "previews" / "ixi.png"));
  EXPECT_TRUE(fs::exists(dir / "cohort_config.yaml"));

  // Rerun with the same settings reuses everything; a changed cohort key or a missing file rebuilds.
  const auto stamp = fs::last_write_time(dir / "Train/ixi/t1/IXI_sim_000_t1.nii.gz");
  EXPECT_TRUE(generate_cohort(cfg).reused);
  EXPECT_EQ(fs::last_write_time(dir / "Train/ixi/t1/IXI_sim_000_t1.nii.gz"), stamp);
  cfg.train.lr = 0.5;  // not a cohort setting
  EXPECT_TRUE(generate_cohort(cfg).reused);
  fs::remove(dir / "Test/ms/seg/ms_sim_000_seg.nii.gz");
  EXPECT_FALSE(generate_cohort(cfg).reused);
  EXPECT_TRUE(fs::exists(dir / "Test/ms/seg/ms_sim_000_seg.nii.gz"));
  cfg.cohort.noise_sigma = 0.05;
  EXPECT_FALSE(generate_cohort(cfg).reused);
  fs::remove_all(dir);
}
