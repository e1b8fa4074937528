// Maps computed on the preprocessed grid go back onto the input scan's grid: the same shape and
// affine as the input, for crop, pad and in-plane downsampling, with the values in place.
#include <gtest/gtest.h>

#include <cmath>

#include "io/GridResampling.hpp"
#include "preprocess/CropOrPad.hpp"
#include "preprocess/InPlaneDownsampler.hpp"

using namespace p2l;

namespace {

// An oblique input grid (rotated in-plane, anisotropic voxels) with a linear ramp.
FloatVolume input_volume(std::array<size_t, 3> size) {
  Geometry g;
  g.size = size;
  g.spacing = {1.5, 1.2, 2.0};
  g.origin = {-30.0, 12.5, 7.0};
  const double c = std::cos(0.3), s = std::sin(0.3);
  g.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  FloatVolume v(g);
  for (size_t k = 0; k < size[2]; ++k)
    for (size_t j = 0; j < size[1]; ++j)
      for (size_t i = 0; i < size[0]; ++i) v.at(i, j, k) = float(1 + i + 2.0 * j + 3.0 * k);
  return v;
}

void expect_same_grid(const Geometry& a, const Geometry& b) {
  EXPECT_EQ(a.size, b.size);
  for (int d = 0; d < 3; ++d) {
    EXPECT_NEAR(a.spacing[d], b.spacing[d], 1e-9);
    EXPECT_NEAR(a.origin[d], b.origin[d], 1e-9);
  }
  for (int d = 0; d < 9; ++d) EXPECT_NEAR(a.direction[d], b.direction[d], 1e-12);
}

}  // namespace

TEST(PreprocessInputGrid, CropGoesBackWithEveryKeptVoxelInPlace) {
  const FloatVolume in = input_volume({12, 10, 6});
  const std::array<size_t, 3> dim = {8, 6, 6};
  const FloatVolume back = resample_linear(crop_or_pad(in, dim), in.geom);
  expect_same_grid(back.geom, in.geom);
  const auto off = centred_offset(in.geom.size, dim);
  for (size_t k = 0; k < 6; ++k)
    for (size_t j = 0; j < 10; ++j)
      for (size_t i = 0; i < 12; ++i) {
        const bool kept = long(i) >= off[0] && long(i) < off[0] + 8 && long(j) >= off[1] && long(j) < off[1] + 6;
        EXPECT_NEAR(back.at(i, j, k), kept ? in.at(i, j, k) : 0.0f, 1e-3) << i << "," << j << "," << k;
      }
}

TEST(PreprocessInputGrid, PadGoesBackExactly) {
  const FloatVolume in = input_volume({6, 5, 4});
  const FloatVolume back = resample_linear(crop_or_pad(in, {10, 9, 8}), in.geom);
  expect_same_grid(back.geom, in.geom);
  for (size_t i = 0; i < in.data.size(); ++i) EXPECT_NEAR(back.data[i], in.data[i], 1e-3);
  const LabelVolume mask(in.geom, 1);
  const LabelVolume mback = resample_nearest(crop_or_pad(mask, {10, 9, 8}), in.geom);
  expect_same_grid(mback.geom, in.geom);
  EXPECT_EQ(mback.data, mask.data);
}

TEST(PreprocessInputGrid, DownsamplingIsUndoneByInterpolation) {
  const FloatVolume in = input_volume({16, 12, 3});
  const FloatVolume coarse = downsample_image(in, 2);
  ASSERT_EQ(coarse.geom.size, (std::array<size_t, 3>{8, 6, 3}));
  const FloatVolume back = resample_linear(coarse, in.geom);
  expect_same_grid(back.geom, in.geom);
  // A linear ramp survives block means and linear interpolation between block centres exactly.
  for (size_t k = 0; k < 3; ++k)
    for (size_t j = 1; j < 11; ++j)
      for (size_t i = 1; i < 15; ++i) EXPECT_NEAR(back.at(i, j, k), in.at(i, j, k), 1e-3) << i << "," << j;
}
