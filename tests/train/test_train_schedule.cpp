// Learning-rate schedules and batch scaling against hand-computed values, and FusedAdam against
// LibTorch's Adam.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "config/TrainConfig.hpp"
#include "train/FusedAdam.hpp"
#include "train/LearningRateSchedule.hpp"

using namespace p2l;

namespace {
constexpr double kPi = 3.14159265358979323846;

TrainConfig schedule(const std::string& name, int steps, int warmup = 0) {
  TrainConfig c;
  c.lr = 0.01;
  c.schedule = lr_schedules().parse(name, "train.schedule");
  c.steps = steps;
  c.warmup_steps = warmup;
  return c;
}
}  // namespace

TEST(TrainSchedule, ConstantWithWarmup) {
  TrainConfig c = schedule("constant", 100, 4);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 0), 0.0025);  // (0 + 1) / 4
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 3), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 99), 0.01);
}

TEST(TrainSchedule, CosineAfterWarmup) {
  TrainConfig c = schedule("cosine", 110, 10);
  c.min_lr_fraction = 0.1;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 4), 0.005);   // warm-up: 5 / 10
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 10), 0.01);   // progress 0
  // progress (60 - 10) / 100 = 0.5: min + (max - min) / 2 = 0.001 + 0.0045.
  EXPECT_NEAR(learning_rate_at(c, 0.01, 60), 0.0055, 1e-15);
  // progress 0.25: 0.001 + 0.009 * (1 + cos(pi / 4)) / 2.
  EXPECT_NEAR(learning_rate_at(c, 0.01, 35), 0.001 + 0.009 * (1 + std::cos(kPi / 4)) / 2, 1e-15);
  EXPECT_NEAR(learning_rate_at(c, 0.01, 109), 0.001 + 0.009 * (1 + std::cos(kPi * 0.99)) / 2, 1e-15);
}

TEST(TrainSchedule, OneCycleMatchesPyTorch) {
  // torch.optim.lr_scheduler.OneCycleLR(max_lr=0.01, total_steps=100) (pct_start 0.3,
  // div_factor 25, final_div_factor 1e4, cosine): peak at step 29, 0.0004 at step 0.
  TrainConfig c = schedule("onecycle", 100);
  EXPECT_NEAR(learning_rate_at(c, 0.01, 0), 0.0004, 1e-15);
  EXPECT_NEAR(learning_rate_at(c, 0.01, 29), 0.01, 1e-15);
  // Step 14.5 would be half way up; step 10: 0.0004 + 0.0096 * (1 - cos(pi * 10 / 29)) / 2.
  EXPECT_NEAR(learning_rate_at(c, 0.01, 10), 0.0004 + 0.0096 * (1 - std::cos(kPi * 10 / 29)) / 2, 1e-15);
  EXPECT_NEAR(learning_rate_at(c, 0.01, 99), 0.0004 / 1e4, 1e-15);
}

TEST(TrainSchedule, StepDecay) {
  TrainConfig c = schedule("step", 1000, 0);
  c.step_every = 300;
  c.step_gamma = 0.5;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 299), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 300), 0.005);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.01, 650), 0.0025);
}

TEST(TrainSchedule, LearningRateScalesWithTheGlobalBatch) {
  TrainConfig c;
  c.lr = 0.01;
  c.lr_reference_batch = 1024;
  EXPECT_DOUBLE_EQ(scaled_learning_rate(c, 4096), 0.01);  // none
  c.lr_scaling = LrScaling::kLinear;
  EXPECT_DOUBLE_EQ(scaled_learning_rate(c, 4096), 0.04);
  c.lr_scaling = LrScaling::kSqrt;
  EXPECT_DOUBLE_EQ(scaled_learning_rate(c, 4096), 0.02);
  EXPECT_DOUBLE_EQ(scaled_learning_rate(c, 256), 0.005);
}

TEST(TrainSchedule, FusedAdamEqualsLibTorchAdam) {
  torch::manual_seed(3);
  std::vector<torch::Tensor> a, b;
  for (auto shape : std::vector<std::vector<int64_t>>{{5, 3, 3, 3}, {7}, {4, 9}}) {
    auto t = torch::randn(shape);
    a.push_back(t.clone().requires_grad_(true));
    b.push_back(t.clone().requires_grad_(true));
  }
  torch::optim::AdamOptions o(0.01);
  torch::optim::Adam reference(a, o);
  FusedAdam fused(b, o);
  for (int step = 0; step < 5; ++step) {
    for (size_t i = 0; i < a.size(); ++i) {
      auto g = torch::randn(a[i].sizes()) * double(step + 1);
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad() = g.clone();
    }
    reference.step();
    fused.step();
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-6, 1e-7)) << "step " << step << " tensor " << i;
  }
  // The state is Adam's own, so checkpoints are interchangeable: LibTorch's Adam restored
  // from FusedAdam's saved state takes the same next step.
  std::stringstream saved;
  torch::serialize::OutputArchive ar;
  fused.save(ar);
  ar.save_to(saved);
  EXPECT_GT(saved.str().size(), 0u);
  std::vector<torch::Tensor> c;
  for (auto& t : b) c.push_back(t.detach().clone().requires_grad_(true));
  torch::optim::Adam restored(c, o);
  torch::serialize::InputArchive in;
  in.load_from(saved);
  restored.load(in);
  for (size_t i = 0; i < b.size(); ++i) {
    auto g = torch::randn(b[i].sizes());
    b[i].mutable_grad() = g.clone();
    c[i].mutable_grad() = g.clone();
  }
  fused.step();
  restored.step();
  for (size_t i = 0; i < b.size(); ++i)
    EXPECT_TRUE(torch::allclose(b[i], c[i], 1e-6, 1e-7)) << "after restore, tensor " << i;
}
