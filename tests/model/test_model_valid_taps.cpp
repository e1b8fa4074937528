// ValidTapConv: the convolution that skips taps which only multiply padding must equal the plain
// convolution, forward and backward, alone and inside the whole network at every patch size.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/FoldedPatch2LocNet.hpp"
#include "model/Patch2LocNet.hpp"
#include "model/ValidTapConv.hpp"

using namespace p2l;

namespace {

// "Equal" in double precision: 1e-10 relative leaves room for ~1e5 roundings of 1e-15 through
// the 18 layers, and still catches one float32 rounding inside a layer (about 1e-6).
constexpr double kDoubleRounding = 1e-10;

// max |a - b| relative to the scale of b (at least 1).
double max_rel_diff(const torch::Tensor& a, const torch::Tensor& b) {
  double scale = std::max(1.0, b.abs().max().item<double>());
  return (a - b).abs().max().item<double>() / scale;
}

}  // namespace

TEST(ModelValidTaps, TapRangesHandComputed) {
  // 1 x 1 map, 3 x 3 kernel, stride 1, padding 1: only the centre tap sees the pixel.
  TapRange r = valid_taps(1, 3, 1, 1);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.last, 1);
  EXPECT_EQ(r.outputs, 1);
  // 2 x 2 map, stride 2, padding 1: one output reading inputs -1, 0, 1: taps 1 and 2.
  r = valid_taps(2, 3, 2, 1);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.last, 2);
  EXPECT_EQ(r.outputs, 1);
  // 4 x 4 map, stride 1, padding 1: every tap touches data for some output.
  r = valid_taps(4, 3, 1, 1);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.last, 2);
  EXPECT_EQ(r.outputs, 4);
  // 1 x 1 map, stride 2, padding 1 (the first block of a stage on a 1 x 1 map): centre only.
  r = valid_taps(1, 3, 2, 1);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.last, 1);
  EXPECT_EQ(r.outputs, 1);
  // The stem on a 12 x 12 patch (stride 2, padding 3): all taps, 8 outputs.
  r = valid_taps(12, 3, 2, 3);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.last, 2);
  EXPECT_EQ(r.outputs, 8);
}

TEST(ModelValidTaps, EqualsPlainConvolutionForwardAndBackward) {
  torch::manual_seed(7);
  for (int64_t size = 1; size <= 7; ++size)
    for (int64_t stride : {1, 2})
      for (int64_t kernel : {1, 3}) {
        int64_t pad = kernel / 2;
        auto x = torch::randn({3, 5, size, size}, torch::dtype(torch::kFloat64).requires_grad(true));
        auto w = torch::randn({4, 5, kernel, kernel}, torch::dtype(torch::kFloat64).requires_grad(true));
        auto ref = torch::conv2d(x, w, {}, {stride, stride}, {pad, pad});
        auto up = torch::randn(ref.sizes(), torch::kFloat64);  // an arbitrary upstream gradient
        auto gref = torch::autograd::grad({ref}, {x, w}, {up});
        auto got = valid_tap_conv2d(x, w, stride, pad);
        ASSERT_EQ(got.sizes(), ref.sizes()) << size << " " << stride << " " << kernel;
        auto ggot = torch::autograd::grad({got}, {x, w}, {up});
        std::string where = "size " + std::to_string(size) + " stride " + std::to_string(stride) +
                            " kernel " + std::to_string(kernel);
        // Double precision: only the order of the additions differs (rounding ~1e-15).
        EXPECT_LT(max_rel_diff(got, ref), kDoubleRounding) << where;
        EXPECT_LT(max_rel_diff(ggot[0], gref[0]), kDoubleRounding) << "input gradient, " << where;
        EXPECT_LT(max_rel_diff(ggot[1], gref[1]), kDoubleRounding) << "weight gradient, " << where;
      }
}

// The network as configured by default (valid taps, channels-last) and the plain network
// (every tap, NCHW), same weights: outputs and every parameter's
// gradient agree at every patch side from 1 to 32 and at 48 (the configs' patch sides
// are floor(patch_fraction * slice side): 12 and 24 in the shipped configs, 6 to 48 in sweeps).
// In double precision, so that the comparison sees the arithmetic and not float rounding:
// in float32, BatchNorm over 1 x 1 maps of a 6-patch batch amplifies the last-bit differences
// of another summation order to about 1e-4.
TEST(ModelValidTaps, NetworkOutputsAndGradientsEqualAtEveryPatchSize) {
  ModelConfig on_cfg, off_cfg;
  off_cfg.valid_taps_only = false;
  off_cfg.channels_last = false;
  torch::manual_seed(11);
  Patch2LocNet on(on_cfg), off(off_cfg);
  on->to(torch::kFloat64);
  off->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    auto src = off->named_parameters();
    for (auto& p : on->named_parameters()) p.value().copy_(src[p.key()]);
  }
  std::vector<int64_t> sides;
  for (int64_t p = 1; p <= 32; ++p) sides.push_back(p);
  sides.push_back(48);
  for (int64_t p : sides) {
    auto x = torch::rand({6, 1, p, p}, torch::kFloat64);
    auto cond = torch::rand({6}, torch::kFloat64) * 100;
    auto targets = torch::rand({6, 2}, torch::kFloat64) * 100;
    std::vector<std::vector<torch::Tensor>> grads(2);
    std::vector<Patch2LocOutput> outs;
    int k = 0;
    for (Patch2LocNet* net : {&on, &off}) {
      (*net)->train();
      (*net)->zero_grad();
      Patch2LocOutput o = (*net)->forward(x, cond);
      ((o.mean - targets).pow(2).sum() + o.logvar.exp().sum()).backward();
      for (auto& q : (*net)->parameters()) grads[k].push_back(q.grad().clone());
      outs.push_back(o);
      ++k;
    }
    EXPECT_LT(max_rel_diff(outs[0].mean, outs[1].mean), kDoubleRounding) << "mean, patch " << p;
    EXPECT_LT(max_rel_diff(outs[0].logvar, outs[1].logvar), kDoubleRounding) << "logvar, patch " << p;
    for (size_t i = 0; i < grads[0].size(); ++i)
      EXPECT_LT(max_rel_diff(grads[0][i], grads[1][i]), kDoubleRounding) << "gradient " << i << ", patch " << p;
  }
  EXPECT_EQ(count_parameters(on), 11848068);  // the 3 x 3 parameters are unchanged
}

// BatchNorm folding for inference: the folded copy equals the network in eval mode.
TEST(ModelValidTaps, FoldedNetworkEqualsEvalMode) {
  torch::manual_seed(5);
  Patch2LocNet net(ModelConfig{});
  {
    torch::NoGradGuard no_grad;  // non-trivial running statistics and affine parameters
    for (auto& b : net->named_buffers())
      if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0, 0.2);
      else if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
    for (auto& p : net->named_parameters())
      if (p.key().find("bn") != std::string::npos || p.key().find("hidden.1") != std::string::npos)
        p.value().uniform_(0.5, 1.5);
  }
  net->eval();
  FoldedPatch2LocNet folded(net);
  for (int64_t p : {6, 12, 24}) {
    auto x = torch::rand({9, 1, p, p});
    auto cond = torch::rand({9}) * 100;
    c10::InferenceMode guard;
    Patch2LocOutput ref = net->forward(x, cond), got = folded.forward(x, cond);
    EXPECT_LT(max_rel_diff(got.mean, ref.mean), 1e-5) << "patch " << p;
    EXPECT_LT(max_rel_diff(got.logvar, ref.logvar), 1e-5) << "patch " << p;
  }
}
