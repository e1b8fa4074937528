// Patch2LocNet (SPEC section 4): size, shapes, slice embedding and the mean-head initialisation.
#include <gtest/gtest.h>

#include <cmath>

#include "model/Patch2LocNet.hpp"
#include "model/SliceEmbedding.hpp"

using namespace p2l;

TEST(ModelPatch2Loc, ParameterCountAtPublishedSizes) {
  Patch2LocNet net(ModelConfig{});
  EXPECT_EQ(count_parameters(net), 11848068);
}

TEST(ModelPatch2Loc, ParameterCountFollowsConfig) {
  ModelConfig cfg;
  cfg.blocks = {1, 1, 1, 1};
  cfg.widths = {4, 8, 8, 16};
  cfg.head_widths = {8};
  Patch2LocNet net(cfg);
  // stem 9*4 + bn 8; stage1 2*(9*16) + 2*8; stage2 9*4*8 + 9*64 + 16 + 16 + down 32 + 16;
  // stage3 2*(9*64) + 2*16 + down 64 + 16 (stride 2); stage4 9*8*16 + 9*256 + 32 + 32 + down 128 + 32;
  // heads 2 * (16*8 + 8 + 16 + 8*2 + 2).
  int64_t encoder = 36 + 8 + (288 + 16) + (288 + 576 + 32 + 32 + 16) + (1152 + 32 + 64 + 16) +
                    (1152 + 2304 + 64 + 128 + 32);
  int64_t heads = 2 * (136 + 16 + 18);
  EXPECT_EQ(count_parameters(net), encoder + heads);
}

TEST(ModelPatch2Loc, OutputShapes) {
  Patch2LocNet net(ModelConfig{});
  for (int64_t p : {12, 24}) {
    net->train();  // BatchNorm in training mode needs more than one sample
    auto out = net->forward(torch::rand({5, 1, p, p}), torch::rand({5}) * 100);
    EXPECT_EQ(out.mean.sizes(), (std::vector<int64_t>{5, 2})) << p;
    EXPECT_EQ(out.logvar.sizes(), (std::vector<int64_t>{5, 2})) << p;
    net->eval();
    auto one = net->forward(torch::rand({1, 1, p, p}), torch::full({1}, 30.0));
    EXPECT_EQ(one.mean.sizes(), (std::vector<int64_t>{1, 2})) << p;
    EXPECT_EQ(one.logvar.sizes(), (std::vector<int64_t>{1, 2})) << p;
    EXPECT_TRUE(torch::isfinite(one.mean).all().item<bool>());
  }
}

TEST(ModelPatch2Loc, SliceEmbeddingHandComputed) {
  // dim 4, base 100: f_0 = 1, f_1 = 100^(-1/2) = 0.1.
  auto e = slice_embedding(torch::tensor({10.0f, 0.0f}), 4, 100.0);
  ASSERT_EQ(e.sizes(), (std::vector<int64_t>{2, 4}));
  const float want[2][4] = {{-0.5440211f, -0.8390715f, 0.8414710f, 0.5403023f}, {0, 1, 0, 1}};
  for (int n = 0; n < 2; ++n)
    for (int d = 0; d < 4; ++d) EXPECT_NEAR(e[n][d].item<float>(), want[n][d], 1e-6) << n << "," << d;

  // Published size: dim 512, base 10000, a = 50. Column 2 is sin(50 * 10000^(-2/512)).
  auto big = slice_embedding(torch::tensor({50.0f}), 512, 10000.0);
  EXPECT_NEAR(big[0][0].item<float>(), std::sin(50.0), 1e-5);
  EXPECT_NEAR(big[0][1].item<float>(), std::cos(50.0), 1e-5);
  const double f1 = std::pow(10000.0, -2.0 / 512);  // 0.964662...
  EXPECT_NEAR(big[0][2].item<float>(), std::sin(50.0 * f1), 1e-4);
  EXPECT_NEAR(big[0][3].item<float>(), std::cos(50.0 * f1), 1e-4);
  const double f255 = std::pow(10000.0, -510.0 / 512);  // 1.0366e-4
  EXPECT_NEAR(big[0][510].item<float>(), std::sin(50.0 * f255), 1e-6);
  EXPECT_NEAR(big[0][511].item<float>(), std::cos(50.0 * f255), 1e-6);
  EXPECT_THROW(slice_embedding(torch::tensor({1.0f}), 5, 100.0), std::runtime_error);
}

TEST(ModelPatch2Loc, EmbeddingIsAddedToTheFeature) {
  // Same patch, different slice condition: the outputs must differ (the embedding is used).
  torch::manual_seed(1);
  Patch2LocNet net(ModelConfig{});
  net->eval();
  auto x = torch::rand({1, 1, 12, 12});
  auto a = net->forward(x, torch::full({1}, 10.0));
  auto b = net->forward(x, torch::full({1}, 90.0));
  EXPECT_GT((a.mean - b.mean).abs().max().item<float>(), 1e-4);
}

TEST(ModelPatch2Loc, MeanHeadStartsAtBiasInit) {
  torch::manual_seed(2);
  Patch2LocNet net(ModelConfig{});
  auto bias = net->named_parameters()["mean_head.out.bias"];
  ASSERT_TRUE(bias.defined());
  EXPECT_EQ(bias[0].item<float>(), 50.0f);
  EXPECT_EQ(bias[1].item<float>(), 50.0f);
  auto logvar_bias = net->named_parameters()["logvar_head.out.bias"];
  EXPECT_LT(logvar_bias.abs().max().item<float>(), 1.0f);  // only the mean head is shifted
  net->train();
  auto out = net->forward(torch::rand({64, 1, 12, 12}), torch::rand({64}) * 100);
  // The untrained output is the bias plus a small random term: close to the centre of [0, 100].
  EXPECT_NEAR(out.mean.mean().item<float>(), 50.0f, 5.0f);
}

TEST(ModelPatch2Loc, DetachedVarianceFeaturesStopGradientIntoEncoder) {
  torch::manual_seed(3);
  Patch2LocNet net(ModelConfig{});
  auto x = torch::rand({4, 1, 12, 12});
  auto cond = torch::rand({4}) * 100;
  auto stem = net->named_parameters()["encoder.stem.weight"];
  auto head = net->named_parameters()["logvar_head.out.weight"];
  net->zero_grad();
  net->forward(x, cond, /*detach_variance_features=*/true).logvar.sum().backward();
  EXPECT_FALSE(stem.grad().defined() && stem.grad().abs().sum().item<float>() > 0);
  EXPECT_GT(head.grad().abs().sum().item<float>(), 0);
  net->zero_grad();
  net->forward(x, cond, false).logvar.sum().backward();
  EXPECT_GT(stem.grad().abs().sum().item<float>(), 0);
}
