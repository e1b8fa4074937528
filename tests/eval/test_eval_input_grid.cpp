// Outputs on the input scan's grid: a heatmap of a cropped working grid goes back onto the input
// grid with the input's shape and affine, metrics on the input grid equal those on the working
// grid when the brain lies inside the crop, and segmentations are written per threshold rule.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "eval/InputGridOutputs.hpp"
#include "scoring/Metrics.hpp"
#include "scoring/MethodGrid.hpp"
#include "io/GridResampling.hpp"
#include "io/Nifti.hpp"

using namespace p2l;
namespace fs = std::filesystem;

namespace {

// The input grid 14 x 12 x 5 (2 x 2 x 3 mm) and its centred 10 x 8 crop (offset 2, 2, 0).
Geometry input_grid() {
  Geometry g;
  g.size = {14, 12, 5};
  g.spacing = {2, 2, 3};
  g.origin = {-10, 4, 1};
  return g;
}
Geometry working_grid() {
  Geometry g = input_grid();
  g.size = {10, 8, 5};
  g.origin = {-10 + 2 * 2, 4 + 2 * 2, 1};
  return g;
}

struct Case {
  FloatVolume heat;  // working grid
  LabelVolume mask, seg;
};

// Brain: the working grid minus a one-voxel rim; lesion: a block inside; scores: noise plus a
// lesion bump.
Case working_case() {
  Case c{FloatVolume(working_grid()), LabelVolume(working_grid(), 0), LabelVolume(working_grid(), 0)};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0, 1);
  for (size_t k = 0; k < 5; ++k)
    for (size_t j = 0; j < 8; ++j)
      for (size_t i = 0; i < 10; ++i) {
        const bool brain = i > 0 && i < 9 && j > 0 && j < 7;
        const bool lesion = i >= 3 && i <= 5 && j >= 2 && j <= 4 && k >= 1 && k <= 3;
        c.mask.at(i, j, k) = brain;
        c.seg.at(i, j, k) = lesion;
        c.heat.at(i, j, k) = brain ? u(rng) + (lesion ? 0.8f : 0.0f) : 0.0f;
      }
  return c;
}

}  // namespace

TEST(EvalInputGrid, MetricsOnTheInputGridEqualTheWorkingGrid) {
  const Case w = working_case();
  const FloatVolume heat = on_input_grid(w.heat, input_grid());
  const LabelVolume mask = resample_nearest(w.mask, input_grid());
  const LabelVolume seg = resample_nearest(w.seg, input_grid());
  ASSERT_EQ(heat.geom.size, input_grid().size);
  EXPECT_TRUE(heat.geom.mismatch(input_grid(), 1e-9).empty());
  auto metrics = [](const FloatVolume& h, const LabelVolume& m, const LabelVolume& s) {
    std::vector<float> score;
    std::vector<uint8_t> label;
    select_in_mask(h.data.data(), s.data.data(), m.data.data(), h.data.size(), score, label);
    const RankingMetrics r = ranking_metrics(score, label);
    const Overlap o = overlap_at(h.data.data(), s.data.data(), m.data.data(), h.data.size(), 0.9);
    return std::vector<double>{r.auroc, r.auprc, o.dice(), double(o.tp), double(o.fp)};
  };
  const auto on_working = metrics(w.heat, w.mask, w.seg);
  const auto on_input = metrics(heat, mask, seg);
  ASSERT_EQ(on_working.size(), on_input.size());
  for (size_t i = 0; i < on_input.size(); ++i) EXPECT_NEAR(on_input[i], on_working[i], 1e-9) << i;
  EXPECT_GT(on_working[0], 0.9);  // the case is not degenerate
  // Nothing outside the crop.
  EXPECT_EQ(heat.at(0, 0, 2), 0.0f);
  EXPECT_EQ(heat.at(13, 11, 2), 0.0f);
}

TEST(EvalInputGrid, SegmentationPerRuleOnTheInputGrid) {
  const fs::path dir = fs::temp_directory_path() / ("p2l_inputgrid_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const HeatmapCache cache(RunLayout(dir.string()), "stamp\n");
  const Case w = working_case();
  EvalInputs in;
  in.sets = {"tumor"};
  EvalSubject s;
  s.id = "t1";
  s.mask = w.mask, s.seg = w.seg;
  s.source_geom = input_grid();
  in.test["tumor"] = {s};
  const ScoreMaps raw{w.heat, w.heat};
  write_input_grid_heatmaps(cache, "tumor_test", "t1", w.heat, raw, input_grid());
  for (const auto& p : {cache.heatmap_path("tumor_test", "t1"), cache.component_path("tumor_test", "t1", "error"),
                        cache.component_path("tumor_test", "t1", "variance")})
    EXPECT_TRUE(read_nifti_float(p).geom.mismatch(input_grid(), 1e-5).empty()) << p;
  MethodResults res;
  VolumeRow r;
  r.method = "P", r.rule = "healthy q98", r.set = "tumor", r.id = "t1", r.threshold = 0.9;
  res.volumes = {r};
  r.method = "other";
  res.volumes.push_back(r);  // another setting: not written
  EXPECT_EQ(write_segmentations(cache, res, "P", in), 1);
  const LabelVolume seg = read_nifti_label(cache.segmentation_path("tumor_test", "t1", "healthy_q98"));
  EXPECT_TRUE(seg.geom.mismatch(input_grid(), 1e-5).empty());
  // The same voxels as thresholding on the working grid, shifted by the crop offset.
  size_t n = 0;
  for (size_t k = 0; k < 5; ++k)
    for (size_t j = 0; j < 8; ++j)
      for (size_t i = 0; i < 10; ++i) {
        const bool expect = w.mask.at(i, j, k) && w.heat.at(i, j, k) > 0.9f;
        EXPECT_EQ(seg.at(i + 2, j + 2, k), expect) << i << "," << j << "," << k;
        n += expect;
      }
  EXPECT_GT(n, 0u);
  EXPECT_EQ(label_file_part("best Dice per volume (oracle)"), "best_dice_per_volume_oracle");
  EXPECT_EQ(label_file_part("healthy FPR 5%"), "healthy_fpr_5");
  fs::remove_all(dir);
}
