// io/Statistics: hand-computed answers for the percentiles, means, standard deviations and the
// rank correlation every stage shares, and the rounding each percentile form is pinned to.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "io/Statistics.hpp"

using namespace p2l;

TEST(Percentile, LinearInterpolationBetweenOrderStatistics) {
  const std::vector<double> v = {1, 2, 3, 4};
  // Position q / 100 * (n - 1): 25 -> 0.75, between 1 and 2.
  EXPECT_DOUBLE_EQ(percentile_lerp(v, 25), 1.75);
  EXPECT_DOUBLE_EQ(percentile_blend(v, 25), 1.75);
  EXPECT_DOUBLE_EQ(percentile_lerp(v, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile_blend(v, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile_lerp(v, 75), 3.25);
  EXPECT_DOUBLE_EQ(percentile_blend(v, 75), 3.25);
  // The ends are the extreme values exactly.
  EXPECT_EQ(percentile_lerp(v, 0), 1.0);
  EXPECT_EQ(percentile_blend(v, 0), 1.0);
  EXPECT_EQ(percentile_lerp(v, 100), 4.0);
  EXPECT_EQ(percentile_blend(v, 100), 4.0);
  // 90 of 5 values: position 3.6, between 4 and 5.
  EXPECT_NEAR(percentile_lerp(std::vector<double>{1, 2, 3, 4, 5}, 90), 4.6, 1e-12);
  EXPECT_NEAR(percentile_blend(std::vector<double>{1, 2, 3, 4, 5}, 90), 4.6, 1e-12);
}

TEST(Percentile, FloatValuesAreWidenedAndOneValueIsEveryPercentile) {
  const std::vector<float> f = {1.f, 2.f, 3.f, 4.f};
  EXPECT_DOUBLE_EQ(percentile_lerp(f, 25), 1.75);
  EXPECT_DOUBLE_EQ(percentile_blend(f, 25), 1.75);
  // 0.1f widened: the result is the float's double value, not 0.1.
  EXPECT_EQ(percentile_lerp(std::vector<float>{0.1f}, 50), double(0.1f));
  EXPECT_EQ(percentile_blend(std::vector<float>{0.1f}, 37), double(0.1f));
  EXPECT_EQ(percentile_blend(std::vector<double>{-3.5}, 99.5), -3.5);
}

TEST(Percentile, EmptyInputIsNaN) {
  EXPECT_TRUE(std::isnan(percentile_lerp(std::vector<double>{}, 50)));
  EXPECT_TRUE(std::isnan(percentile_blend(std::vector<double>{}, 50)));
  EXPECT_TRUE(std::isnan(percentile_lerp(std::vector<float>{}, 50)));
  EXPECT_TRUE(std::isnan(percentile_blend(std::vector<float>{}, 50)));
}

TEST(Percentile, TheTwoRoundingsAreKeptApart) {
  // 30 % between 0.1 and 0.7 (t = 0.3): the two forms round differently in the last bit. Each
  // caller's outputs (thresholds and Hausdorff distances: lerp; intensity scaling and the
  // report: blend) are pinned to its own form.
  const std::vector<double> v = {0.1, 0.7};
  const double lerp = percentile_lerp(v, 30), blend = percentile_blend(v, 30);
  EXPECT_EQ(lerp, 0.1 + 0.3 * (0.7 - 0.1));
  EXPECT_EQ(blend, 0.1 * (1 - 0.3) + 0.7 * 0.3);
  EXPECT_NE(lerp, blend);
  EXPECT_NEAR(lerp, 0.28, 1e-15);
  EXPECT_NEAR(blend, 0.28, 1e-15);
}

TEST(MeanStd, SkipsNaNAndUsesThePopulationStd) {
  const MeanStd m = mean_std({1, 2, NAN, 3, 4});
  EXPECT_DOUBLE_EQ(m.mean, 2.5);
  EXPECT_DOUBLE_EQ(m.std, std::sqrt(1.25));  // (2.25 + 0.25 + 0.25 + 2.25) / 4
  EXPECT_EQ(m.defined, 4u);
  EXPECT_EQ(m.total, 5u);

  const MeanStd none = mean_std({NAN, NAN});
  EXPECT_TRUE(std::isnan(none.mean));
  EXPECT_TRUE(std::isnan(none.std));
  EXPECT_EQ(none.defined, 0u);
  EXPECT_EQ(none.total, 2u);
  EXPECT_TRUE(std::isnan(mean_std({}).mean));
  EXPECT_EQ(mean_std({}).total, 0u);
}

TEST(MeanStd, FromRunningSums) {
  const MeanStd m = mean_std_from_sums(10, 30, 4);  // 1, 2, 3, 4
  EXPECT_DOUBLE_EQ(m.mean, 2.5);
  EXPECT_DOUBLE_EQ(m.std, std::sqrt(1.25));
  EXPECT_EQ(m.defined, 4u);
  EXPECT_EQ(m.total, 4u);
  EXPECT_TRUE(std::isnan(mean_std_from_sums(0, 0, 0).mean));
  // Three equal values of 0.1: sum2 / n - mean^2 rounds to about -1.7e-18; the clamp makes the
  // std 0, not NaN.
  EXPECT_EQ(mean_std({0.1, 0.1, 0.1}).std, 0.0);
  EXPECT_EQ(mean_std_from_sums(0.1 + 0.1 + 0.1, 0.1 * 0.1 + 0.1 * 0.1 + 0.1 * 0.1, 3).std, 0.0);
}

TEST(SampleStd, DividesByNMinusOne) {
  // Mean 5, squared deviations 9 1 1 1 0 0 4 16 = 32: sample variance 32 / 7 (population: 4).
  EXPECT_DOUBLE_EQ(sample_std({2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(sample_std({1, 3}), std::sqrt(2.0));
  EXPECT_EQ(sample_std({5}), 0.0);
  EXPECT_EQ(sample_std({}), 0.0);
}

TEST(Spearman, MonotoneReversedTiedAndDegenerate) {
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {1, 8, 27, 64}), 1.0);  // monotone, not linear
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // No ties: 1 - 6 sum(d^2) / (n (n^2 - 1)) = 1 - 6 * 4 / 120.
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}), 0.8);
  // Ties take the average rank: x ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4:
  // 4.5 / sqrt(4.5 * 5) = sqrt(0.9).
  EXPECT_DOUBLE_EQ(spearman({1, 2, 2, 3}, {1, 2, 3, 4}), std::sqrt(0.9));
  EXPECT_DOUBLE_EQ(spearman({3, 1, 2, 2}, {4, 1, 2, 3}), std::sqrt(0.9));  // order of points is irrelevant
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));  // constant input
  EXPECT_TRUE(std::isnan(spearman({1}, {1})));
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {1, 2})));
}
