// The heatmap's device stages as tensor ops, checked on the CPU against hand-made cases and the
// CPU filter: grid upsampling, the tensor median filter with masking, and the box-filtered
// brain fraction of every grid point.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <random>

#include "eval/GridUpsampling.hpp"
#include "scoring/MedianFilter.hpp"
#include "scoring/ScoreGrid.hpp"
#include "eval/TensorMedianFilter.hpp"
#include "model/PatchExtractor.hpp"
#include "support/ErrorOf.hpp"

using namespace p2l;
using p2l::testing::error_of;

namespace {

Geometry grid(size_t a, size_t b, size_t c) {
  Geometry g;
  g.size = {a, b, c};
  return g;
}

}  // namespace

TEST(EvalUpsample, BilinearOfALinearRampIsExact) {
  // Grid points at 0, 3, .., 12 cover 13 pixels exactly; past the last column (9) values clamp.
  const int stride = 3, H = 13, W = 10, gh = grid_points(H, stride), gw = grid_points(W, stride);
  ASSERT_EQ(gh, 5);
  ASSERT_EQ(gw, 4);  // 0, 3, 6, 9
  auto g = torch::empty({2, gh, gw});
  for (int z = 0; z < 2; ++z)
    for (int a = 0; a < gh; ++a)
      for (int b = 0; b < gw; ++b) g[z][a][b] = 2.0f * (a * stride) - 0.5f * (b * stride) + 1.0f + z;
  auto up = upsample_grid(g, stride, H, W);
  ASSERT_EQ(up.sizes(), (std::vector<int64_t>{2, H, W}));
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        EXPECT_NEAR(up[z][y][x].item<float>(), 2.0f * y - 0.5f * x + 1.0f + z, 1e-5) << y << " " << x;
  // Stride 1 is the identity.
  EXPECT_TRUE(torch::equal(upsample_grid(g, 1, gh, gw), g));
  // Between two grid points 4 apart, a quarter of the way: 0.75 a + 0.25 b.
  auto two = torch::tensor({0.0f, 8.0f}).view({1, 1, 2});
  auto row = upsample_grid(two, 4, 1, 6);
  EXPECT_FLOAT_EQ(row[0][0][1].item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(row[0][0][5].item<float>(), 8.0f);  // clamped past the last point
}

TEST(EvalTensorMedian, EqualsTheCpuFilterAndMasksInSlabs) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-2, 3);
  FloatVolume v(grid(9, 7, 6));
  for (auto& x : v.data) x = u(rng);
  LabelVolume mask(v.geom, 0);
  for (auto& x : mask.data) x = rng() % 4 != 0;
  for (int size : {1, 3, 5, 7}) {
    const FloatVolume want = filter_and_mask(v, size, mask);
    const FloatVolume got = map_filter_on(torch::kCPU)(v, size, mask);
    EXPECT_EQ(got.data, want.data) << "median " << size;
    // A window budget of one slice's windows forces one slab per slice: same result.
    auto t = torch::from_blob(v.data.data(), {6, 7, 9}, torch::kFloat32);
    auto m = torch::from_blob(mask.data.data(), {6, 7, 9}, torch::kUInt8);
    auto slabbed = median_filter_and_mask(t, size, m, int64_t(7 * 9 * size * size * size * 4));
    EXPECT_TRUE(torch::equal(slabbed, torch::from_blob(const_cast<float*>(want.data.data()), {6, 7, 9})));
  }
  // A hand-made case: one hot voxel in a zero volume is removed by a 3^3 median.
  FloatVolume spike(grid(5, 5, 5), 0.0f);
  spike.at(2, 2, 2) = 100.0f;
  LabelVolume all(spike.geom, 1);
  EXPECT_EQ(map_filter_on(torch::kCPU)(spike, 3, all).at(2, 2, 2), 0.0f);
  EXPECT_EQ(map_filter_on(torch::kCPU)(spike, 1, all).at(2, 2, 2), 100.0f);
  EXPECT_NE(error_of([&] { map_filter_on(torch::kCPU)(spike, 4, all); }).find("eval.median_size"), std::string::npos);
}

TEST(EvalGridBrainFraction, EqualsThePerPatchGather) {
  std::mt19937 rng(3);
  auto masks = torch::empty({3, 11, 9}, torch::kUInt8);
  auto* m = masks.data_ptr<uint8_t>();
  for (int64_t i = 0; i < masks.numel(); ++i) m[i] = rng() % 3 != 0;
  for (int64_t p : {1, 2, 3, 4, 5})
    for (int64_t stride : {1, 2, 3}) {
      const int64_t gh = grid_points(11, int(stride)), gw = grid_points(9, int(stride));
      auto f = grid_brain_fraction(masks, p, stride);
      ASSERT_EQ(f.sizes(), (std::vector<int64_t>{3, gh, gw})) << p << " " << stride;
      auto points = torch::arange(3 * gh * gw);
      auto z = points.div(gh * gw, "floor"), y = points.div(gw, "floor").remainder(gh) * stride,
           x = points.remainder(gw) * stride;
      auto want = patch_brain_fraction(masks, z, y, x, p);
      EXPECT_TRUE(torch::allclose(f.reshape({-1}), want, 0, 1e-6)) << "p " << p << " stride " << stride;
    }
  // Hand-made: a 2 x 2 patch centred at (0, 0) covers rows/cols -1..0, so 1 of its 4 pixels.
  auto one = torch::ones({1, 3, 3}, torch::kUInt8);
  EXPECT_FLOAT_EQ(grid_brain_fraction(one, 2, 1)[0][0][0].item<float>(), 0.25f);
  EXPECT_FLOAT_EQ(grid_brain_fraction(one, 2, 1)[0][1][1].item<float>(), 1.0f);
}
