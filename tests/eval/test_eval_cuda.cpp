// Heatmaps and their median filter on CUDA equal the CPU's (GPU machines only; skipped
// elsewhere).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <random>

#include "eval/HeatmapBuilder.hpp"
#include "scoring/MedianFilter.hpp"
#include "eval/TensorMedianFilter.hpp"
#include "support/Cuda.hpp"

using namespace p2l;

namespace {

SubjectSlices disc(int Z, int H, int W) {
  SubjectSlices s;
  s.id = "disc";
  s.depth = Z, s.height = H, s.width = W;
  s.image.assign(size_t(Z) * H * W, 0.0f);
  s.mask.assign(s.image.size(), 0);
  for (int z = 1; z + 1 < Z; ++z)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w)
        if (std::hypot(h - H / 2.0, w - W / 2.0) < H / 2.5) {
          const size_t i = (size_t(z) * H + h) * W + w;
          s.mask[i] = 1;
          s.image[i] = float(0.4 + 0.4 * std::sin(0.5 * h + 0.2 * w + z));
        }
  s.geom.size = {size_t(H), size_t(W), size_t(Z)};
  return s;
}

HeatmapOptions options(Precision precision) {
  HeatmapOptions o;
  o.stride = 2;
  o.patch_fraction = 0.125;
  o.batch_size = 1000;
  o.precision = precision;
  return o;
}

double max_abs_difference(const FloatVolume& a, const FloatVolume& b) {
  double m = 0;
  for (size_t i = 0; i < a.data.size(); ++i) m = std::max(m, double(std::abs(a.data[i] - b.data[i])));
  return m;
}

}  // namespace

TEST(EvalCuda, HeatmapEqualsTheCpuInFp32AndIsCloseInHalfPrecision) {
  P2L_REQUIRE_CUDA();
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  torch::manual_seed(8);
  Patch2LocNet net{ModelConfig{}};
  SubjectSlices s = disc(6, 48, 48);
  ScoreMaps want = HeatmapBuilder(net, options(Precision::kFp32), torch::kCPU).score_maps(s);
  ScoreMaps got = HeatmapBuilder(net, options(Precision::kFp32), torch::kCUDA).score_maps(s);
  // Scores are logs of squared errors: 1e-3 absolute covers fp32 summation-order differences.
  EXPECT_LT(max_abs_difference(got.error, want.error), 1e-3);
  EXPECT_LT(max_abs_difference(got.variance, want.variance), 1e-3);
  for (Precision half : {Precision::kFp16, Precision::kBf16}) {
    ScoreMaps h = HeatmapBuilder(net, options(half), torch::kCUDA).score_maps(s);
    // bf16 keeps 8 bits of mantissa: the log-error moves by a few hundredths.
    EXPECT_LT(max_abs_difference(h.error, want.error), 0.25) << precisions().id(half);
    EXPECT_LT(max_abs_difference(h.variance, want.variance), 0.25) << precisions().id(half);
  }
}

TEST(EvalCuda, MedianFilterOnTheGpuEqualsTheCpu) {
  P2L_REQUIRE_CUDA();
  Geometry g;
  g.size = {40, 36, 30};
  FloatVolume v(g);
  LabelVolume mask(g, 0);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(-3, 3);
  for (auto& x : v.data) x = u(rng);
  for (auto& x : mask.data) x = rng() % 5 != 0;
  for (int size : {3, 7}) EXPECT_EQ(map_filter_on(torch::kCUDA)(v, size, mask).data, filter_and_mask(v, size, mask).data);
}
