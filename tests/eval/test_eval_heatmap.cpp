#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "eval/HeatmapBuilder.hpp"
#include "io/Nifti.hpp"
#include "model/PatchExtractor.hpp"

using namespace p2l;

namespace {

ModelConfig tiny_model() {
  ModelConfig m;
  m.blocks = {1, 1, 1, 1};
  m.widths = {4, 4, 8, 8};
  m.head_widths = {8, 8, 8, 8};
  return m;
}

// Z slices of H x W: a disc of brain in slices 1.. Z-2, the first and last slice empty.
SubjectSlices phantom(int Z, int H, int W) {
  SubjectSlices s;
  s.id = "p";
  s.depth = Z, s.height = H, s.width = W;
  s.image.assign(size_t(Z) * H * W, 0.0f);
  s.mask.assign(s.image.size(), 0);
  for (int z = 1; z + 1 < Z; ++z)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        const double r = std::hypot(h - H / 2.0, w - W / 2.0);
        if (r > H / 3.0) continue;
        const size_t i = (size_t(z) * H + h) * W + w;
        s.mask[i] = 1;
        s.image[i] = float(0.3 + 0.5 * std::sin(0.7 * h + 0.3 * w + z));
      }
  s.geom.size = {size_t(H), size_t(W), size_t(Z)};
  s.geom.spacing = {2.0, 1.5, 3.0};
  s.geom.origin = {-10.0, 4.0, 7.5};
  s.geom.direction = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
  return s;
}

HeatmapOptions options(int stride, bool skip, int batch) {
  HeatmapOptions o;
  o.stride = stride;
  o.patch_fraction = 0.25;  // 4 x 4 patches on 16-pixel slices
  o.min_brain_fraction = 0.5;
  o.batch_size = batch;
  o.precision = Precision::kFp32;
  o.skip_background = skip;
  return o;
}

}  // namespace

TEST(EvalHeatmap, SkippingBackgroundChangesNothingAndMatchesSinglePatches) {
  torch::manual_seed(1);
  Patch2LocNet net(tiny_model());
  SubjectSlices s = phantom(4, 16, 16);
  HeatmapBuilder skip(net, options(1, true, 37), torch::kCPU);
  HeatmapBuilder all(net, options(1, false, 1000), torch::kCPU);
  ScoreMaps a = skip.score_maps(s), b = all.score_maps(s);
  EXPECT_LT(skip.patches_scored(), all.patches_scored());  // background points were skipped
  for (size_t i = 0; i < a.error.data.size(); ++i) {
    EXPECT_NEAR(a.error.data[i], b.error.data[i], 1e-4) << i;
    EXPECT_NEAR(a.variance.data[i], b.variance.data[i], 1e-4) << i;
  }
  // Each kept point equals the plain eval-mode network on that one patch, cut here by hand:
  // rows y - p/2 .. y + p/2 - 1 and the same columns of the zero-padded slice, times the brain
  // mask, with t = 100 (y/H, x/W) and a = 100 z / Z. Points with less than half of the patch in
  // the brain (and brainless slices) score 0. Scanner noise outside the mask must not leak in.
  const int64_t p = 4;  // floor(0.25 * 16)
  SubjectSlices noisy = s;
  for (size_t i = 0; i < noisy.image.size(); ++i)
    if (!noisy.mask[i]) noisy.image[i] = 0.9f;
  HeatmapBuilder builder(net, options(1, true, 37), torch::kCPU);
  const ScoreMaps m = builder.score_maps(noisy);
  net->eval();
  torch::NoGradGuard no_grad;
  auto pixel = [&](int64_t z, int64_t y, int64_t x) -> std::pair<float, bool> {
    if (y < 0 || y >= 16 || x < 0 || x >= 16) return {0.0f, false};
    const size_t i = (size_t(z) * 16 + size_t(y)) * 16 + size_t(x);
    return {noisy.mask[i] ? noisy.image[i] : 0.0f, noisy.mask[i] != 0};
  };
  size_t kept = 0, failed = 0;
  for (int64_t z : {0, 1, 2, 3})
    for (int64_t y = 0; y < 16; y += 3)
      for (int64_t x = 0; x < 16; x += 2) {
        auto patch = torch::zeros({1, 1, p, p});
        int brain = 0;
        for (int64_t i = 0; i < p; ++i)
          for (int64_t j = 0; j < p; ++j) {
            const auto [v, in] = pixel(z, y - p / 2 + i, x - p / 2 + j);
            patch[0][0][i][j] = v;
            brain += in;
          }
        const float e = m.error.at(y, x, z), v = m.variance.at(y, x, z);
        if (brain * 2 < p * p) {
          EXPECT_EQ(e, 0.0f);
          EXPECT_EQ(v, 0.0f);
          ++failed;
          continue;
        }
        Patch2LocOutput o = net->forward(patch, torch::tensor({100.0f * float(z) / 4.0f}));
        const double dy = o.mean[0][0].item<double>() - 100.0 * y / 16,
                     dx = o.mean[0][1].item<double>() - 100.0 * x / 16;
        EXPECT_NEAR(e, std::log(dy * dy + dx * dx + 1e-10), 1e-4) << z << " " << y << " " << x;
        EXPECT_NEAR(v, o.logvar[0].mean().item<double>(), 1e-4) << z << " " << y << " " << x;
        ++kept;
      }
  EXPECT_GT(kept, 10u);
  EXPECT_GT(failed, 10u);
}

TEST(EvalHeatmap, StrideInterpolatesBetweenGridPoints) {
  torch::manual_seed(2);
  Patch2LocNet net(tiny_model());
  SubjectSlices s = phantom(3, 16, 16);
  HeatmapBuilder dense(net, options(1, true, 512), torch::kCPU);
  HeatmapBuilder coarse(net, options(3, true, 512), torch::kCPU);
  ScoreMaps d = dense.score_maps(s), c = coarse.score_maps(s);
  // Grid points (multiples of 3) agree with the dense map; between them, linear interpolation.
  for (size_t y = 0; y < 16; y += 3)
    for (size_t x = 0; x < 16; x += 3) EXPECT_NEAR(c.error.at(y, x, 1), d.error.at(y, x, 1), 1e-4);
  const float a = c.error.at(6, 6, 1), b = c.error.at(6, 9, 1);
  EXPECT_NEAR(c.error.at(6, 7, 1), a + (b - a) / 3, 1e-4);
}

TEST(EvalHeatmap, NiftiOutputLiesOnTheInputGrid) {
  torch::manual_seed(3);
  Patch2LocNet net(tiny_model());
  SubjectSlices s = phantom(3, 16, 12);
  ScoreMaps m = HeatmapBuilder(net, options(2, true, 256), torch::kCPU).score_maps(s);
  EXPECT_EQ(m.error.geom.size, (std::array<size_t, 3>{16, 12, 3}));
  const auto path = std::filesystem::temp_directory_path() / ("p2l_eval_hm_" + std::to_string(::getpid()) + ".nii.gz");
  write_nifti(path.string(), m.error);
  Geometry g = read_nifti_geometry(path.string());
  EXPECT_EQ(g.mismatch(s.geom, 1e-6), "");
  FloatVolume back = read_nifti_float(path.string());
  EXPECT_NEAR(back.at(8, 6, 1), m.error.at(8, 6, 1), 1e-6);
  std::filesystem::remove(path);
}

TEST(EvalHeatmap, AutoPrecisionIsHalfOnTheGpuAndFp32OnTheCpu) {
  EXPECT_EQ(resolve_inference_precision(Precision::kAuto, true), Precision::kFp16);
  EXPECT_EQ(resolve_inference_precision(Precision::kAuto, false), Precision::kFp32);
  for (Precision p : {Precision::kFp32, Precision::kBf16, Precision::kFp16})
    for (bool gpu : {false, true}) EXPECT_EQ(resolve_inference_precision(p, gpu), p) << precisions().id(p);
}
