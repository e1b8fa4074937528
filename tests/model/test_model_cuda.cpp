// The model on CUDA equals the model on the CPU (GPU machines only; skipped elsewhere).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "model/FoldedPatch2LocNet.hpp"
#include "model/Patch2LocNet.hpp"
#include "model/PatchExtractor.hpp"
#include "support/Cuda.hpp"

using namespace p2l;

namespace {

// Relative L2 distance, the METHOD.md measure.
double relative(const torch::Tensor& a, const torch::Tensor& ref) {
  auto r = ref.to(torch::kCPU, torch::kFloat64), d = a.to(torch::kCPU, torch::kFloat64) - r;
  return (d.norm() / r.norm().clamp_min(1e-30)).item<double>();
}

}  // namespace

TEST(ModelCuda, ForwardAndFoldedForwardEqualTheCpu) {
  P2L_REQUIRE_CUDA();
  // fp32 on both devices; TF32 off so the GPU does true fp32 products. Tolerance 1e-4
  // relative: summation order differs between cuDNN and oneDNN kernels.
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  torch::manual_seed(4);
  Patch2LocNet cpu{ModelConfig{}};
  cpu->eval();
  auto x = torch::rand({64, 1, 24, 24}), cond = torch::rand({64}) * 100;
  Patch2LocNet gpu{ModelConfig{}};
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < cpu->parameters().size(); ++i) gpu->parameters()[i].copy_(cpu->parameters()[i]);
  for (size_t i = 0; i < cpu->buffers().size(); ++i) gpu->buffers()[i].copy_(cpu->buffers()[i]);
  gpu->to(torch::kCUDA);
  gpu->eval();
  Patch2LocOutput want = cpu->forward(x, cond), got = gpu->forward(x.cuda(), cond.cuda());
  EXPECT_LT(relative(got.mean, want.mean), 1e-4);
  EXPECT_LT(relative(got.logvar, want.logvar), 1e-4);
  FoldedPatch2LocNet folded(gpu);
  Patch2LocOutput f = folded.forward(x.cuda(), cond.cuda());
  EXPECT_LT(relative(f.mean, want.mean), 1e-4);
  EXPECT_LT(relative(f.logvar, want.logvar), 1e-4);
}

TEST(ModelCuda, PatchExtractionOnTheDeviceIsExact) {
  P2L_REQUIRE_CUDA();
  auto slices = torch::rand({3, 20, 18});
  auto masks = (torch::rand({3, 20, 18}) > 0.3).to(torch::kUInt8);
  auto z = torch::randint(3, {500}, torch::kLong), y = torch::randint(20, {500}, torch::kLong),
       x = torch::randint(18, {500}, torch::kLong);
  PatchSet want = extract_patches(slices, masks, z, y, x, 6);
  PatchSet got = extract_patches(slices.cuda(), masks.cuda(), z.cuda(), y.cuda(), x.cuda(), 6);
  EXPECT_TRUE(got.patches.is_cuda());
  EXPECT_TRUE(torch::equal(got.patches.cpu(), want.patches));
  EXPECT_TRUE(torch::equal(got.brain_fraction.cpu(), want.brain_fraction));
  EXPECT_TRUE(torch::allclose(grid_brain_fraction(masks.cuda(), 6, 2).cpu(), grid_brain_fraction(masks, 6, 2)));
}
