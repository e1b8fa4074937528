// Losses on hand-computed values (SPEC section 5), including their gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "train/Losses.hpp"

using namespace p2l;

namespace {

// Two patches: errors t - mu = (1, 0) and (0, 2); variances s2 = (1, 2) and (4, 4).
struct Case {
  torch::Tensor mean = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}).requires_grad_(true);
  torch::Tensor logvar = torch::tensor({{0.0f, float(std::log(2.0))}, {float(std::log(4.0)), float(std::log(4.0))}})
                             .requires_grad_(true);
  torch::Tensor targets = torch::tensor({{2.0f, 2.0f}, {3.0f, 6.0f}});
  torch::Tensor loss(const std::string& name, double beta = 0.5) {
    // The id is parsed as the config parses it, so the ids are tested too.
    return location_loss({mean, logvar}, targets, location_losses().parse(name, "train.loss"), beta);
  }
};

void expect_grad(const torch::Tensor& g, std::vector<float> want) {
  auto flat = g.reshape({-1});
  ASSERT_EQ(flat.numel(), int64_t(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(flat[i].item<float>(), want[i], 1e-5) << i;
}

}  // namespace

TEST(TrainLosses, BetaNllValueAndGradients) {
  Case c;
  // Per coordinate NLL 0.5 (e^2/s2 + ln s2): 0.5, 0.5 ln2, 0.5 ln4, 0.5 + 0.5 ln4; weights sqrt(s2):
  // 1, sqrt2, 2, 2. Patch sums 0.990129 and 3.772589, mean 2.381359.
  auto l = c.loss("beta_nll", 0.5);
  EXPECT_NEAR(l.item<float>(), 2.3813589f, 1e-5);
  l.backward();
  // d/dmu = (mu - t) / s2 * s2^0.5 / N ; d/dlogvar = s2^0.5 * 0.5 (1 - e^2/s2) / N (weight constant).
  expect_grad(c.mean.grad(), {-0.5f, 0.0f, 0.0f, -0.5f});
  expect_grad(c.logvar.grad(), {0.0f, float(std::sqrt(2.0) * 0.25), 0.5f, 0.0f});
}

TEST(TrainLosses, BetaZeroIsThePlainNll) {
  Case c;
  auto l = c.loss("beta_nll", 0.0);
  EXPECT_NEAR(l.item<float>(), 0.5f * (0.5f + 0.5f * std::log(2.0f) + 0.5f * std::log(4.0f) + 0.5f + 0.5f * std::log(4.0f)), 1e-5);
  l.backward();
  expect_grad(c.mean.grad(), {-0.5f, 0.0f, 0.0f, -0.25f});  // (mu - t) / s2 / N
}

TEST(TrainLosses, MseSumsCoordinatesAndAveragesPatches) {
  Case c;
  auto l = c.loss("mse");
  EXPECT_NEAR(l.item<float>(), 2.5f, 1e-6);  // (1 + 4) / 2
  l.backward();
  expect_grad(c.mean.grad(), {-1.0f, 0.0f, 0.0f, -2.0f});  // 2 (mu - t) / N
  EXPECT_FALSE(c.logvar.grad().defined() && c.logvar.grad().abs().sum().item<float>() != 0);
}

TEST(TrainLosses, StirnMeanGetsNoGradientFromTheNll) {
  Case c;
  auto l = c.loss("stirn");
  // 0.5 e^2 summed (0.5, 2) plus the NLL (0.846574, 1.886294), averaged: 2.616434.
  EXPECT_NEAR(l.item<float>(), 2.6164340f, 1e-5);
  l.backward();
  // Only the squared-error term reaches the mean: (mu - t) / N, not + (mu - t) / s2 / N.
  expect_grad(c.mean.grad(), {-0.5f, 0.0f, 0.0f, -1.0f});
  expect_grad(c.logvar.grad(), {0.0f, 0.25f, 0.25f, 0.0f});  // 0.5 (1 - e^2/s2) / N
}

TEST(TrainLosses, LowerPrecisionInputsGiveFloatLoss) {
  Case c;
  Patch2LocOutput half{c.mean.detach().to(torch::kBFloat16), c.logvar.detach().to(torch::kBFloat16)};
  auto l = location_loss(half, c.targets, LocationLoss::kMse, 0.5);
  EXPECT_EQ(l.scalar_type(), torch::kFloat32);
  EXPECT_NEAR(l.item<float>(), 2.5f, 1e-6);
}

TEST(TrainLosses, UnknownLossNamesTheKey) {
  Case c;
  try {
    c.loss("l1");
    FAIL() << "no throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("train.loss"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("beta_nll, mse, stirn"), std::string::npos) << e.what();
  }
}

TEST(TrainLosses, MeanLocationError) {
  auto mean = torch::tensor({{0.0f, 0.0f}, {10.0f, 10.0f}});
  auto t = torch::tensor({{3.0f, 4.0f}, {10.0f, 11.0f}});
  EXPECT_NEAR(mean_location_error(mean, t).item<float>(), 3.0f, 1e-6);  // (5 + 1) / 2
}
