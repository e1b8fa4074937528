#include <gtest/gtest.h>

#include "support/ErrorOf.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "scoring/Fusion.hpp"
#include "scoring/MedianFilter.hpp"
#include "scoring/ScoreGrid.hpp"
#include "io/Nifti.hpp"

using namespace p2l;

using p2l::testing::error_of;

namespace {
Geometry grid(size_t a, size_t b, size_t c) {
  Geometry g;
  g.size = {a, b, c};
  return g;
}
}  // namespace

TEST(ScoringMedian, MatchesBruteForceWithZeroPadding) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 5);
  for (int size : {1, 3, 5, 7}) {
    FloatVolume v(grid(6, 5, 4));
    for (auto& x : v.data) x = u(rng);
    LabelVolume only(v.geom, 0);
    for (auto& x : only.data) x = rng() % 3 != 0;
    FloatVolume full = median_filter(v, size), part = median_filter(v, size, &only);
    const long r = size / 2;
    for (long k = 0; k < 4; ++k)
      for (long j = 0; j < 5; ++j)
        for (long i = 0; i < 6; ++i) {
          std::vector<float> w;
          for (long c = k - r; c <= k + r; ++c)
            for (long b = j - r; b <= j + r; ++b)
              for (long a = i - r; a <= i + r; ++a) {
                const bool in = a >= 0 && b >= 0 && c >= 0 && a < 6 && b < 5 && c < 4;
                w.push_back(in ? v.at(a, b, c) : 0.0f);
              }
          std::sort(w.begin(), w.end());
          EXPECT_EQ(full.at(i, j, k), w[w.size() / 2]) << size << " " << i << j << k;
          EXPECT_EQ(part.at(i, j, k), only.at(i, j, k) ? w[w.size() / 2] : 0.0f);
        }
  }
  EXPECT_NE(error_of([&] { median_filter(FloatVolume(grid(2, 2, 2)), 4); }).find("eval.median_size"),
            std::string::npos);
}

TEST(ScoringMedian, ErosionAndMasking) {
  LabelVolume m(grid(7, 7, 7), 0);
  for (size_t k = 1; k < 6; ++k)
    for (size_t j = 1; j < 6; ++j)
      for (size_t i = 1; i < 6; ++i) m.at(i, j, k) = 1;  // a 5^3 cube
  LabelVolume e = erode(m, 1);
  size_t n = 0;
  for (auto x : e.data) n += x;
  EXPECT_EQ(n, 27u);  // the inner 3^3 cube
  EXPECT_EQ(e.at(2, 2, 2), 1);
  EXPECT_EQ(e.at(1, 3, 3), 0);
  EXPECT_EQ(erode(m, 0).data, m.data);
  FloatVolume h(m.geom, 2.0f);
  apply_mask(h, e);
  EXPECT_EQ(h.at(3, 3, 3), 2.0f);
  EXPECT_EQ(h.at(1, 1, 1), 0.0f);
}

TEST(ScoringScores, CombineComponents) {
  ScoreMaps m{FloatVolume(grid(2, 1, 1), 1.5f), FloatVolume(grid(2, 1, 1), -0.5f)};
  EXPECT_EQ(combine_scores(m, ScoreComponent::kError).data[0], 1.5f);
  EXPECT_EQ(combine_scores(m, ScoreComponent::kVariance).data[0], -0.5f);
  EXPECT_EQ(combine_scores(m, ScoreComponent::kBoth).data[1], 1.0f);
  EXPECT_THROW(score_components().parse("sum", "eval.score"), std::runtime_error);
}

TEST(ScoringFusion, StatisticsAndModes) {
  Geometry g = grid(4, 1, 1);
  FloatVolume p(g), r(g);
  LabelVolume mask(g, 1);
  mask.data[3] = 0;
  p.data = {1, 3, 5, 100};  // the last voxel is outside the brain: ignored by the statistics
  r.data = {2, 2, 8, 100};
  MapStatsAccumulator ap, ar;
  ap.add(p, mask);
  ar.add(r, mask);
  MapStats sp = ap.result(), sr = ar.result();
  EXPECT_DOUBLE_EQ(sp.mean, 3.0);
  EXPECT_NEAR(sp.std, std::sqrt(8.0 / 3.0), 1e-12);
  EXPECT_DOUBLE_EQ(sp.min, 1.0);
  EXPECT_DOUBLE_EQ(sp.max, 5.0);
  EXPECT_DOUBLE_EQ(sr.mean, 4.0);
  EXPECT_NEAR(sr.std, std::sqrt(8.0), 1e-12);
  FloatVolume w = fuse(p, r, mask, FusionMode::kWeighted, 0.25, sp, sr);
  EXPECT_NEAR(w.data[2], 0.25 * (2 / std::sqrt(8.0 / 3.0)) + 0.75 * (4 / std::sqrt(8.0)), 1e-6);
  EXPECT_EQ(w.data[3], 0.0f);  // outside the brain
  FloatVolume m = fuse(p, r, mask, FusionMode::kMax, 0.5, sp, sr);
  EXPECT_NEAR(m.data[0], std::max(-2 / std::sqrt(8.0 / 3.0), -2 / std::sqrt(8.0)), 1e-6);
  FloatVolume pr = fuse(p, r, mask, FusionMode::kProduct, 0.5, sp, sr);
  EXPECT_NEAR(pr.data[1], 0.5 * 0.0, 1e-7);   // unit(P) = 0.5, unit(R) = 0
  EXPECT_NEAR(pr.data[2], 1.0 * 1.0, 1e-7);   // both at their healthy maximum
  EXPECT_THROW(fuse(p, r, mask, FusionMode::kNone, 0.5, sp, sr), std::logic_error);
  // A constant healthy map does not divide by zero.
  MapStats c{2.0, 0.0, 2.0, 2.0};
  EXPECT_DOUBLE_EQ(c.z(3.0), 1.0);
  EXPECT_DOUBLE_EQ(c.unit(3.0), 1.0);
  EXPECT_THROW(MapStatsAccumulator().result(), std::runtime_error);
}

TEST(ScoringFusion, FisherAddsHealthySurprisesSoABlindPartCannotEraseALesion) {
  Geometry g = grid(4, 1, 1);
  FloatVolume p(g), r(g);
  LabelVolume mask(g, 1);
  mask.data[3] = 0;
  p.data = {1, 3, 5, 100};
  r.data = {2, 2, 8, 100};
  MapStatsAccumulator ap(true), ar(true);
  ap.add(p, mask);
  ar.add(r, mask);
  const MapStats sp = ap.result(), sr = ar.result();
  // Healthy P = {1, 3, 5}: p(x) = (1 + #{>= x}) / 4.
  EXPECT_NEAR(sp.surprise(1.0), 0.0, 1e-12);                 // 4/4
  EXPECT_NEAR(sp.surprise(3.0), std::log(4.0 / 3.0), 1e-12);  // 4/3
  EXPECT_NEAR(sp.surprise(4.0), std::log(4.0 / 2.0), 1e-12);  // only 5 is >= 4
  EXPECT_NEAR(sp.surprise(5.0), std::log(2.0), 1e-12);
  EXPECT_NEAR(sp.surprise(-7.0), 0.0, 1e-12);
  // Beyond the healthy maximum: ln(1 + N) plus one per healthy standard deviation.
  EXPECT_NEAR(sp.surprise(7.0), std::log(4.0) + 2 / std::sqrt(8.0 / 3.0), 1e-12);
  const FloatVolume f = fuse(p, r, mask, FusionMode::kFisher, 0.5, sp, sr);
  EXPECT_NEAR(f.data[0], 0.0, 1e-6);                          // both at their healthy minimum
  EXPECT_NEAR(f.data[1], std::log(4.0 / 3.0) + 0.0, 1e-6);    // R = 2: every healthy R is >= 2
  EXPECT_NEAR(f.data[2], 2 * std::log(2.0), 1e-6);
  EXPECT_EQ(f.data[3], 0.0f);
  // A lesion that only P sees (R at its healthy median) keeps P's evidence; the product erases it.
  FloatVolume lp(g, 0.0f), lr(g, 0.0f);
  lp.data[0] = 7, lr.data[0] = 2;
  EXPECT_NEAR(fuse(lp, lr, mask, FusionMode::kFisher, 0.5, sp, sr).data[0], sp.surprise(7.0), 1e-6);
  EXPECT_NEAR(fuse(lp, lr, mask, FusionMode::kProduct, 0.5, sp, sr).data[0], 0.0, 1e-7);
  // Without the kept values the fisher fusion is a clear error, not a silent 0.
  MapStatsAccumulator plain;
  plain.add(p, mask);
  EXPECT_THROW(fuse(p, r, mask, FusionMode::kFisher, 0.5, plain.result(), plain.result()), std::runtime_error);
}

TEST(ScoringFusion, MapFileErrorsNameTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("p2l_eval_fusion_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Geometry g = grid(4, 3, 2);
  g.spacing = {2, 2, 2};
  write_nifti((dir / "s1.nii.gz").string(), FloatVolume(g, 1.0f));
  EXPECT_EQ(read_source_map(dir.string(), "s1", g).data.size(), 24u);
  std::string missing = error_of([&] { read_source_map(dir.string(), "s2", g); });
  EXPECT_NE(missing.find("s2.nii.gz"), std::string::npos);
  EXPECT_NE(missing.find("no map for subject 's2'"), std::string::npos);
  Geometry other = g;
  other.size = {4, 3, 3};
  std::string wrong = error_of([&] { read_source_map(dir.string(), "s1", other); });
  EXPECT_NE(wrong.find("s1.nii.gz"), std::string::npos);
  EXPECT_NE(wrong.find("on neither the preprocessed grid nor the input grid of subject 's1'"), std::string::npos);
  // A map on the subject's input grid g is resampled onto its preprocessed grid (here the
  // input voxels i = 1 .. 2, a crop).
  Geometry work = g;
  work.size = {2, 3, 2};
  work.origin = {2, 0, 0};  // input voxel i = 1 .. 2
  FloatVolume ramp(g);
  for (size_t i = 0; i < ramp.data.size(); ++i) ramp.data[i] = float(i % 4);  // value = i index
  write_nifti((dir / "s3.nii.gz").string(), ramp);
  const FloatVolume back = read_source_map(dir.string(), "s3", work, g);
  EXPECT_TRUE(back.geom.mismatch(work, 1e-9).empty());
  EXPECT_NEAR(back.at(0, 1, 1), 1.0f, 1e-5);
  EXPECT_NEAR(back.at(1, 2, 0), 2.0f, 1e-5);
  std::filesystem::remove_all(dir);
}
