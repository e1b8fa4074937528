// The intensity z-score baseline on hand-made volumes with known statistics.
#include <gtest/gtest.h>

#include "baseline/VoxelStatistics.hpp"
#include "support/ErrorOf.hpp"

using namespace p2l;

namespace {

// A 1 x 2 x 2 subject (Z x H x W) with the given voxels, brain everywhere but the last voxel.
SubjectSlices subject(const std::string& id, std::vector<float> v) {
  SubjectSlices s;
  s.id = id;
  s.depth = 1, s.height = 2, s.width = 2;
  s.image = std::move(v);
  s.mask = {1, 1, 1, 0};
  s.geom.size = {2, 2, 1};
  return s;
}

}  // namespace

TEST(BaselineZScore, VoxelStatisticsOfHandMadeVolumes) {
  // Voxel 0: 0.2, 0.4, 0.6 -> mean 0.4, population std sqrt(0.08 / 3).
  // Voxel 1: constant 0.5 -> std 0. Voxels 2, 3: 0, 0, 0.3 and 1, 1, 1.
  const std::vector<SubjectSlices> healthy = {subject("h1", {0.2f, 0.5f, 0.0f, 1.0f}),
                                               subject("h2", {0.4f, 0.5f, 0.0f, 1.0f}),
                                               subject("h3", {0.6f, 0.5f, 0.3f, 1.0f})};
  const VoxelStatistics st = fit_voxel_statistics(healthy);
  ASSERT_EQ(st.mean.size(), 4u);
  EXPECT_NEAR(st.mean[0], 0.4, 1e-6);
  EXPECT_NEAR(st.std[0], std::sqrt(0.08 / 3.0), 1e-6);
  EXPECT_NEAR(st.mean[1], 0.5, 1e-6);
  EXPECT_NEAR(st.std[1], 0.0, 1e-6);
  EXPECT_NEAR(st.mean[2], 0.1, 1e-6);
  EXPECT_NEAR(st.std[2], std::sqrt(0.02), 1e-6);

  // |x - mean| / (std + eps), 0 outside the brain.
  const std::vector<float> z = zscore_map(subject("t", {0.9f, 0.6f, 0.1f, 5.0f}), st, 0.01);
  EXPECT_NEAR(z[0], 0.5 / (std::sqrt(0.08 / 3.0) + 0.01), 1e-4);
  EXPECT_NEAR(z[1], 0.1 / 0.01, 1e-3);  // eps guards a zero spread
  EXPECT_NEAR(z[2], 0.0, 1e-5);
  EXPECT_EQ(z[3], 0.0f);  // outside the mask
}

TEST(BaselineZScore, MismatchedGridsNameTheSubject) {
  EXPECT_THROW(fit_voxel_statistics({}), std::runtime_error);
  SubjectSlices odd = subject("odd", {0, 0, 0, 0});
  odd.width = 1, odd.image.resize(2), odd.mask.resize(2);
  const std::string fit = p2l::testing::error_of([&] { fit_voxel_statistics({subject("a", {0, 0, 0, 0}), odd}); });
  EXPECT_NE(fit.find("subject 'odd'"), std::string::npos) << fit;
  const VoxelStatistics st = fit_voxel_statistics({subject("a", {0, 0, 0, 0})});
  const std::string map = p2l::testing::error_of([&] { zscore_map(odd, st, 0.01); });
  EXPECT_NE(map.find("subject 'odd'"), std::string::npos) << map;
}
