// Training on CUDA: the sampler draws on the device, and optimisation steps equal the CPU's
// on the same batches (GPU machines only; skipped elsewhere).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>

#include "SyntheticBrain.hpp"
#include "dist/Communicator.hpp"
#include "train/DataParallelLoop.hpp"
#include "train/LocationDensity.hpp"
#include "train/PatchSampler.hpp"
#include "train/Trainer.hpp"
#include "support/Cuda.hpp"

using namespace p2l;
using namespace p2l::testing;

namespace {

Communicator& single() {
  static Communicator c(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(10));
  return c;
}

std::string dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("p2l_train_cuda_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

}  // namespace

TEST(TrainCuda, SamplerAndDensityStayOnTheDevice) {
  P2L_REQUIRE_CUDA();
  Config cfg = small_training_config(dir("sampler"));
  PatchSampler sampler(synthetic_split("tr", 3, 5), cfg.train, torch::kCUDA);
  torch::Generator gen = seeded_generator(42, torch::kCUDA);
  EXPECT_TRUE(gen.device().is_cuda());
  PatchBatch b = sampler.sample(gen);
  EXPECT_TRUE(b.patches.is_cuda());
  EXPECT_TRUE(b.targets.is_cuda());
  EXPECT_GE(b.patches.size(0), 2);
  EXPECT_LE(b.patches.size(0), cfg.train.patches_per_step);
  // Same seed, same batch: the stream depends only on the generator.
  torch::Generator again = seeded_generator(42, torch::kCUDA);
  EXPECT_TRUE(torch::equal(sampler.sample(again).targets, b.targets));
  LocationDensity density(10);
  density.add(b.targets);
  EXPECT_TRUE(density.counts().is_cuda());
  EXPECT_EQ(density.counts().sum().item<double>(), double(b.targets.size(0)));
}

TEST(TrainCuda, StepsEqualTheCpuOnTheSameBatches) {
  P2L_REQUIRE_CUDA();
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  Config cpu_cfg = small_training_config(dir("cpu"));
  cpu_cfg.train.precision = Precision::kFp32;
  Config gpu_cfg = cpu_cfg;
  gpu_cfg.run.output_dir = dir("gpu");
  gpu_cfg.train.device = DeviceRequest::kCuda;
  TrainingData data{synthetic_split("tr", 4, 10), synthetic_split("va", 2, 50)};
  Trainer cpu(cpu_cfg, single(), data), gpu(gpu_cfg, single(), data);
  ASSERT_TRUE(gpu.device().is_cuda());
  PatchSampler sampler(data.train, cpu_cfg.train, torch::kCPU);
  // Tolerance: fp32 on both, different kernels' summation order; a few Adam steps at lr 1e-2
  // keep the losses within 1e-3 relative and the parameters within 1e-3 relative.
  for (int s = 0; s < 3; ++s) {
    torch::Generator g = seeded_generator(uint64_t(100 + s), torch::kCPU);
    PatchBatch b = sampler.sample(g);
    PatchBatch on_gpu{b.patches.cuda(), b.targets.cuda(), b.cond.cuda()};
    const double lc = cpu.train_step(b), lg = gpu.train_step(on_gpu);
    EXPECT_NEAR(lg, lc, 1e-3 * std::abs(lc) + 1e-5) << "step " << s;
  }
  auto pc = cpu.model()->parameters(), pg = gpu.model()->parameters();
  for (size_t i = 0; i < pc.size(); ++i) {
    auto d = (pg[i].detach().cpu().to(torch::kFloat64) - pc[i].detach().to(torch::kFloat64)).norm().item<double>();
    EXPECT_LT(d, 1e-3 * pc[i].detach().to(torch::kFloat64).norm().item<double>() + 1e-6) << "parameter " << i;
  }
}
