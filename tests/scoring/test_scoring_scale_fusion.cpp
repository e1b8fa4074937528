#include <gtest/gtest.h>

#include <cmath>

#include "scoring/ScaleFusion.hpp"

using namespace p2l;

namespace {

Geometry line(int n) {
  Geometry g;
  g.size = {n, 1, 1};
  return g;
}

FloatVolume map_of(std::vector<float> v) {
  FloatVolume m(line(int(v.size())), 0.0f);
  m.data = std::move(v);
  return m;
}

LabelVolume mask_of(std::vector<uint8_t> v) {
  LabelVolume m(line(int(v.size())), 0);
  m.data = std::move(v);
  return m;
}

// Hand-made statistics: global mean/std, healthy values (sorted) and per-voxel mean/std.
ScaleStats stats(double mean, double sd, std::vector<float> healthy, std::vector<float> vmean, std::vector<float> vstd) {
  ScaleStats s;
  s.global.mean = mean, s.global.std = sd;
  s.global.sorted = std::make_shared<std::vector<float>>(std::move(healthy));
  s.voxel_mean = std::move(vmean), s.voxel_std = std::move(vstd);
  return s;
}

}  // namespace

TEST(ScaleFusion, RulesOnHandMadeMapsGiveTheirDefinitions) {
  // Two scales, three voxels; the last is outside the mask.
  const std::vector<FloatVolume> maps = {map_of({3, 1, 9}), map_of({10, 4, 9})};
  const LabelVolume mask = mask_of({1, 1, 0});
  // Scale 0: mean 1, std 2, healthy values {0, 1, 2, 3} (n = 4); scale 1: mean 4, std 3, {2, 4, 6, 8}.
  const std::vector<ScaleStats> st = {stats(1, 2, {0, 1, 2, 3}, {0, 1, 0}, {1, 0.5f, 1}),
                                      stats(4, 3, {2, 4, 6, 8}, {4, 2, 0}, {2, 1, 1})};
  // z: scale 0: (3-1)/2 = 1, (1-1)/2 = 0; scale 1: (10-4)/3 = 2, (4-4)/3 = 0.
  const FloatVolume mean_z = fuse_scales(maps, mask, MultiScaleRule::kMeanZ, st);
  EXPECT_FLOAT_EQ(mean_z.data[0], 1.5f);
  EXPECT_FLOAT_EQ(mean_z.data[1], 0.0f);
  EXPECT_FLOAT_EQ(mean_z.data[2], 0.0f);
  const FloatVolume max_z = fuse_scales(maps, mask, MultiScaleRule::kMaxZ, st);
  EXPECT_FLOAT_EQ(max_z.data[0], 2.0f);
  EXPECT_FLOAT_EQ(max_z.data[1], 0.0f);
  EXPECT_FLOAT_EQ(max_z.data[2], 0.0f);
  // Voxel z: scale 0: (3-0)/1 = 3, (1-1)/0.5 = 0; scale 1: (10-4)/2 = 3, (4-2)/1 = 2.
  const FloatVolume voxel = fuse_scales(maps, mask, MultiScaleRule::kMeanVoxelZ, st);
  EXPECT_FLOAT_EQ(voxel.data[0], 3.0f);
  EXPECT_FLOAT_EQ(voxel.data[1], 1.0f);
  // Surprise -ln((1 + #{healthy >= x}) / (1 + n)): scale 0 at 3: ln(5/2), at 1: ln(5/4);
  // scale 1 at 10 (beyond the maximum 8): ln 5 + (10 - 8)/3, at 4: ln(5/4).
  const FloatVolume fisher = fuse_scales(maps, mask, MultiScaleRule::kFisher, st);
  EXPECT_NEAR(fisher.data[0], std::log(2.5) + std::log(5.0) + 2.0 / 3, 1e-5);
  EXPECT_NEAR(fisher.data[1], 2 * std::log(1.25), 1e-5);
  EXPECT_FLOAT_EQ(fisher.data[2], 0.0f);
}

TEST(ScaleFusion, OneScaleMeanIsItsZScore) {
  const std::vector<ScaleStats> st = {stats(2, 4, {0}, {0, 0}, {1, 1})};
  const FloatVolume z = fuse_scales({map_of({10, 2})}, mask_of({1, 1}), MultiScaleRule::kMeanZ, st);
  EXPECT_FLOAT_EQ(z.data[0], 2.0f);
  EXPECT_FLOAT_EQ(z.data[1], 0.0f);
}

TEST(ScaleFusion, MismatchedInputsThrow) {
  const std::vector<ScaleStats> one = {stats(0, 1, {0}, {0, 0}, {1, 1})};
  EXPECT_THROW(fuse_scales({map_of({1, 2}), map_of({1, 2})}, mask_of({1, 1}), MultiScaleRule::kMeanZ, one),
               std::runtime_error);
  EXPECT_THROW(fuse_scales({map_of({1, 2, 3})}, mask_of({1, 1}), MultiScaleRule::kMeanZ, one), std::runtime_error);
}

TEST(ScaleFusion, StatisticsPerVoxelAndGlobalWithTheFloor) {
  ScaleStatsAccumulator acc(0.4);
  // Voxel 0: {1, 3} (mean 2, std 1); voxel 1: {5, 5} (std 0, floored); voxel 2 only once (global);
  // voxel 3 never in the mask.
  acc.add(map_of({1, 5, 7, 100}), mask_of({1, 1, 1, 0}));
  acc.add(map_of({3, 5, 0, 100}), mask_of({1, 1, 0, 0}));
  const ScaleStats s = acc.result();
  // Global: {1, 5, 7, 3, 5}: mean 4.2, population std sqrt(((3.2^2 + .8^2 + 2.8^2 + 1.2^2 + .8^2)/5) = sqrt(4.16).
  EXPECT_NEAR(s.global.mean, 4.2, 1e-9);
  EXPECT_NEAR(s.global.std, std::sqrt(4.16), 1e-6);
  ASSERT_EQ(s.global.sorted->size(), 5u);
  EXPECT_FLOAT_EQ(s.voxel_mean[0], 2.0f);
  EXPECT_NEAR(s.voxel_std[0], 1.0, 1e-6);
  EXPECT_FLOAT_EQ(s.voxel_mean[1], 5.0f);
  EXPECT_NEAR(s.voxel_std[1], 0.4 * std::sqrt(4.16), 1e-6);  // 0, floored (voxel 0's 1 is above the floor)
  EXPECT_NEAR(s.voxel_mean[2], 4.2, 1e-6);
  EXPECT_NEAR(s.voxel_std[2], std::sqrt(4.16), 1e-6);
  EXPECT_NEAR(s.voxel_mean[3], 4.2, 1e-6);
  EXPECT_THROW(acc.add(map_of({1, 2}), mask_of({1, 1})), std::runtime_error);
  EXPECT_THROW(ScaleStatsAccumulator(0.5).result(), std::runtime_error);
}

TEST(ScaleFusion, SettingsFollowThePatchSize) {
  EXPECT_EQ(follow_patch_size(7, 0.5, true), 3);   // 3.5: nearest odd 3
  EXPECT_EQ(follow_patch_size(7, 2.0, true), 15);  // 14: between 13 and 15, upwards
  EXPECT_EQ(follow_patch_size(7, 1.0, true), 7);
  EXPECT_EQ(follow_patch_size(7, 0.01, true), 1);
  EXPECT_EQ(follow_patch_size(5, 1.5, true), 7);   // 7.5: nearest odd 7
  EXPECT_EQ(follow_patch_size(4, 0.5, false), 2);
  EXPECT_EQ(follow_patch_size(4, 2.0, false), 8);
  EXPECT_EQ(follow_patch_size(1, 0.5, false), 1);
}
