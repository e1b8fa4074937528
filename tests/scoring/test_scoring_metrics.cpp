#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "scoring/Metrics.hpp"
#include "scoring/SurfaceDistance.hpp"
#include "scoring/Thresholds.hpp"

using namespace p2l;

namespace {
Geometry grid(size_t a, size_t b, size_t c, std::array<double, 3> sp = {1, 1, 1}) {
  Geometry g;
  g.size = {a, b, c};
  g.spacing = sp;
  return g;
}
}  // namespace

TEST(ScoringRanking, TiesAreGroupedLikeScikitLearn) {
  // Thresholds 0.8 (tp 1, fp 1): recall 1/2 at precision 1/2; 0.3: recall 1 at precision 2/3.
  // AP = 1/2 * 1/2 + 1/2 * 2/3 = 7/12. Ordering the tie either way would give 5/6 or 1/3.
  RankingMetrics m = ranking_metrics({0.8f, 0.8f, 0.3f}, {1, 0, 1});
  EXPECT_NEAR(m.auprc, 7.0 / 12.0, 1e-12);
  // Mann-Whitney: (0.8 vs 0.8) counts 1/2, (0.3 vs 0.8) counts 0 -> 0.25.
  EXPECT_NEAR(m.auroc, 0.25, 1e-12);
}

TEST(ScoringRanking, HandComputedWithoutTies) {
  // Descending: 0.9(1) 0.7(0) 0.6(1) 0.2(0) 0.1(1).
  // AP = 1/3*1 + 1/3*2/3 + 1/3*3/5; AUROC = pairs won / 6 = (0.9: 2, 0.6: 1, 0.1: 0) / 6.
  RankingMetrics m = ranking_metrics({0.1f, 0.9f, 0.6f, 0.2f, 0.7f}, {1, 1, 1, 0, 0});
  EXPECT_NEAR(m.auprc, (1.0 + 2.0 / 3 + 3.0 / 5) / 3, 1e-12);
  EXPECT_NEAR(m.auroc, 3.0 / 6.0, 1e-12);
}

TEST(ScoringRanking, DegenerateCases) {
  RankingMetrics c = ranking_metrics({2, 2, 2, 2}, {1, 0, 0, 0});  // constant heatmap
  EXPECT_DOUBLE_EQ(c.auroc, 0.5);
  EXPECT_DOUBLE_EQ(c.auprc, 0.25);  // the prevalence
  RankingMetrics h = ranking_metrics({0.1f, 0.5f}, {0, 0});  // healthy: undefined
  EXPECT_TRUE(std::isnan(h.auroc));
  EXPECT_TRUE(std::isnan(h.auprc));
  RankingMetrics f = ranking_metrics({0.0f, 0.0f}, {1, 1});  // full lesion
  EXPECT_TRUE(std::isnan(f.auroc));
  EXPECT_DOUBLE_EQ(f.auprc, 1.0);
  RankingMetrics e = ranking_metrics({}, {});
  EXPECT_TRUE(std::isnan(e.auroc));
}

TEST(ScoringRanking, MaskSelectsBrainVoxels) {
  const float s[4] = {9, 1, 2, 9};
  const uint8_t y[4] = {0, 1, 0, 1}, m[4] = {0, 1, 1, 0};
  std::vector<float> so;
  std::vector<uint8_t> yo;
  select_in_mask(s, y, m, 4, so, yo);
  EXPECT_EQ(so, (std::vector<float>{1, 2}));
  EXPECT_EQ(yo, (std::vector<uint8_t>{1, 0}));
  EXPECT_DOUBLE_EQ(ranking_metrics(so, yo).auroc, 0.0);
}

TEST(ScoringOverlap, CountsAndRatios) {
  const float s[6] = {0.9f, 0.8f, 0.1f, 0.2f, 0.7f, 5.0f};
  const uint8_t y[6] = {1, 0, 1, 0, 1, 1}, m[6] = {1, 1, 1, 1, 1, 0};
  Overlap o = overlap_at(s, y, m, 6, 0.5);  // pred 1 1 0 0 1 (last voxel outside the brain)
  EXPECT_EQ(o.tp, 2u);
  EXPECT_EQ(o.fp, 1u);
  EXPECT_EQ(o.fn, 1u);
  EXPECT_EQ(o.tn, 1u);
  EXPECT_DOUBLE_EQ(o.dice(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(o.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(o.recall(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(o.fpr(), 0.5);
  EXPECT_DOUBLE_EQ(o.specificity(), 0.5);
  // Threshold equal to a score: strictly greater predicts.
  EXPECT_EQ(overlap_at(s, y, m, 6, 0.8).tp, 1u);
}

TEST(ScoringOverlap, EmptyAndFullLesions) {
  const uint8_t none[3] = {0, 0, 0}, all[3] = {1, 1, 1}, one[3] = {0, 1, 0};
  Overlap ee = overlap_of(none, none, nullptr, 3);
  EXPECT_EQ(ee.dice(), 1.0);
  EXPECT_EQ(ee.precision(), 1.0);
  EXPECT_EQ(ee.recall(), 1.0);
  EXPECT_EQ(ee.fpr(), 0.0);
  Overlap fp = overlap_of(one, none, nullptr, 3);  // healthy volume with a false positive
  EXPECT_EQ(fp.dice(), 0.0);
  EXPECT_EQ(fp.recall(), 0.0);
  EXPECT_DOUBLE_EQ(fp.fpr(), 1.0 / 3.0);
  Overlap miss = overlap_of(none, one, nullptr, 3);
  EXPECT_EQ(miss.dice(), 0.0);
  EXPECT_EQ(miss.precision(), 0.0);
  Overlap full = overlap_of(all, all, nullptr, 3);  // no negatives at all
  EXPECT_EQ(full.dice(), 1.0);
  EXPECT_EQ(full.fpr(), 0.0);
  EXPECT_EQ(full.specificity(), 1.0);
}

TEST(ScoringVolume, LesionVolumeInMillilitres) {
  const uint8_t b[5] = {1, 0, 1, 1, 0};
  EXPECT_DOUBLE_EQ(lesion_volume_ml(b, 5, grid(5, 1, 1, {2, 2, 5})), 3 * 20 / 1000.0);
}

TEST(ScoringSlices, MeanInBrainAndAnyLesion) {
  Geometry g = grid(2, 1, 3);
  FloatVolume s(g);
  LabelVolume m(g), seg(g);
  s.data = {1, 3, 5, 7, 9, 9};
  m.data = {1, 1, 1, 0, 0, 0};  // slice 2 has no brain: skipped
  seg.data = {0, 0, 0, 1, 1, 0};  // lesion voxel outside the brain still labels slice 1
  std::vector<float> ss;
  std::vector<uint8_t> sl;
  slice_scores(s, m, &seg, ss, sl);
  EXPECT_EQ(ss, (std::vector<float>{2, 5}));
  EXPECT_EQ(sl, (std::vector<uint8_t>{0, 1}));
}

TEST(ScoringSurface, DistanceTransformMatchesBruteForce) {
  std::mt19937 rng(7);
  Geometry g = grid(7, 5, 6, {1.0, 2.5, 0.7});
  LabelVolume f(g, 0);
  for (auto& x : f.data) x = rng() % 17 == 0;
  std::vector<double> d = squared_distance_transform(f);
  for (size_t k = 0; k < 6; ++k)
    for (size_t j = 0; j < 5; ++j)
      for (size_t i = 0; i < 7; ++i) {
        double best = INFINITY;
        for (size_t c = 0; c < 6; ++c)
          for (size_t b = 0; b < 5; ++b)
            for (size_t a = 0; a < 7; ++a)
              if (f.at(a, b, c)) {
                const double di = (double(a) - i) * 1.0, dj = (double(b) - j) * 2.5,
                             dk = (double(c) - k) * 0.7;
                best = std::min(best, di * di + dj * dj + dk * dk);
              }
        EXPECT_NEAR(d[f.index(i, j, k)], best, 1e-9) << i << " " << j << " " << k;
      }
  EXPECT_TRUE(std::isinf(squared_distance_transform(LabelVolume(g, 0))[0]));
}

TEST(ScoringSurface, HausdorffOfShiftedBoxes) {
  Geometry g = grid(12, 4, 4, {2.0, 1.0, 1.0});
  LabelVolume a(g, 0), b(g, 0);
  a.at(2, 1, 1) = 1;
  b.at(5, 1, 1) = 1;
  Hausdorff h = hausdorff(a, b);
  EXPECT_DOUBLE_EQ(h.max, 6.0);  // 3 voxels along i at 2 mm
  EXPECT_DOUBLE_EQ(h.hd95, 6.0);
  // Bar c = i in 1..3, bar d = i in 1..8 (same j, k): surface points are all voxels (thin).
  // Directed c->d: 0, 0, 0; d->c: 0, 0, 0, 2, 4, 6, 8, 10 mm. MONAI takes the larger directed
  // 95th percentile: d->c at position 0.95 * 7 = 6.65, 8 + 0.65 * 2 = 9.3 mm. Pooling the 11
  // distances first would give position 9.5 of 0 x 6, 2, 4, 6, 8, 10: 9.0 mm.
  LabelVolume c(g, 0), d(g, 0);
  for (size_t i = 1; i <= 3; ++i) c.at(i, 1, 1) = 1;
  for (size_t i = 1; i <= 8; ++i) d.at(i, 1, 1) = 1;
  Hausdorff h2 = hausdorff(c, d);
  EXPECT_DOUBLE_EQ(h2.max, 10.0);
  EXPECT_NEAR(h2.hd95, 9.3, 1e-12);
  EXPECT_NEAR(hausdorff(d, c).hd95, 9.3, 1e-12);  // symmetric
  EXPECT_EQ(hausdorff(LabelVolume(g, 0), LabelVolume(g, 0)).max, 0.0);
  EXPECT_TRUE(std::isnan(hausdorff(a, LabelVolume(g, 0)).hd95));
}

TEST(ScoringThresholds, BestDicePerVolumeByHand) {
  // > 0.4: dice 2/3; > 0.35: 1/2; > 0.1: 4/5 (best); all: 2/3; none: 0.
  ScoredVolume v{{0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}};
  DiceChoice c = best_dice_threshold({v});
  EXPECT_NEAR(c.dice, 0.8, 1e-12);
  EXPECT_NEAR(c.threshold, 0.1, 1e-7);
  EXPECT_NEAR(overlap_at(v.score.data(), v.label.data(), nullptr, 4, c.threshold).dice(), 0.8, 1e-12);
  // All voxels abnormal: the best threshold lies below the lowest score.
  ScoredVolume full{{0.3f, 0.3f}, {1, 1}};
  DiceChoice f = best_dice_threshold({full});
  EXPECT_EQ(f.dice, 1.0);
  EXPECT_LT(f.threshold, 0.3f);
  // A healthy volume: predicting nothing is perfect.
  DiceChoice h = best_dice_threshold({ScoredVolume{{0.2f, 0.9f}, {0, 0}}});
  EXPECT_EQ(h.dice, 1.0);
  EXPECT_EQ(overlap_at(std::vector<float>{0.2f, 0.9f}.data(), nullptr, nullptr, 2, h.threshold).fp, 0u);
}

TEST(ScoringThresholds, GlobalBestDiceMatchesBruteForce) {
  std::mt19937 rng(3);
  std::vector<ScoredVolume> vols(3);
  std::vector<float> candidates = {-1.0f};
  for (auto& v : vols)
    for (int i = 0; i < 40; ++i) {
      const uint8_t y = rng() % 3 == 0;
      v.label.push_back(y);
      v.score.push_back(float(rng() % 10) / 10.0f + (y ? 0.3f : 0.0f));  // ties on purpose
      candidates.push_back(v.score.back());
    }
  double best = -1;
  for (float t : candidates) {
    double sum = 0;
    for (auto& v : vols) sum += overlap_at(v.score.data(), v.label.data(), nullptr, 40, t).dice();
    best = std::max(best, sum / 3);
  }
  DiceChoice c = best_dice_threshold(vols);
  EXPECT_NEAR(c.dice, best, 1e-12);
  double at = 0;
  for (auto& v : vols) at += overlap_at(v.score.data(), v.label.data(), nullptr, 40, c.threshold).dice();
  EXPECT_NEAR(at / 3, best, 1e-12);
}

TEST(ScoringThresholds, QuantileAndFprMatched) {
  EXPECT_DOUBLE_EQ(quantile_threshold({5, 1, 4, 2, 3}, 50), 3.0);
  EXPECT_NEAR(quantile_threshold({5, 1, 4, 2, 3}, 90), 4.6, 1e-12);
  std::vector<float> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(fpr_threshold(v, 0.2), 8.0);  // exactly 9 and 10 lie above
  EXPECT_DOUBLE_EQ(fpr_threshold(v, 0.0), 10.0);
  EXPECT_DOUBLE_EQ(fpr_threshold({1, 1, 1, 1}, 0.5), 1.0);  // ties: nothing above
  EXPECT_THROW(fpr_threshold({}, 0.1), std::runtime_error);
}

TEST(ScoringCorrelation, SpearmanWithTies) {
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // x ranks 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4: Pearson of the ranks = 4.5 / sqrt(4.5 * 5).
  EXPECT_NEAR(spearman({1, 2, 2, 3}, {1, 2, 3, 4}), 4.5 / std::sqrt(4.5 * 5.0), 1e-12);
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
}
