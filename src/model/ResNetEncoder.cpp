#include "model/ResNetEncoder.hpp"

#include <stdexcept>

#include "model/ValidTapConv.hpp"

namespace p2l {
namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

// The torchvision ResNet initialisation (the published model is torchvision's resnet18).
void init_resnet(torch::nn::Module& root) {
  torch::NoGradGuard no_grad;
  for (auto& m : root.modules(/*include_self=*/false)) {
    if (auto* c = m->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* b = m->as<torch::nn::BatchNorm2d>()) {
      b->weight.fill_(1.0);
      b->bias.zero_();
    }
  }
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t out, int64_t stride, bool valid_taps_only)
    : valid_taps_only_(valid_taps_only),
      conv1(register_module("conv1", conv(in, out, 3, stride, 1))),
      conv2(register_module("conv2", conv(out, out, 3, 1, 1))),
      bn1(register_module("bn1", torch::nn::BatchNorm2d(out))),
      bn2(register_module("bn2", torch::nn::BatchNorm2d(out))) {
  if (stride != 1 || in != out)
    downsample = register_module(
        "downsample", torch::nn::Sequential(conv(in, out, 1, stride, 0), torch::nn::BatchNorm2d(out)));
}

torch::Tensor BasicBlockImpl::convolve(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  if (!valid_taps_only_) return conv(x);
  const auto& o = conv->options;
  return valid_tap_conv2d(x, conv->weight, o.stride()->at(0), std::get<torch::ExpandingArray<2>>(o.padding())->at(0));
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1(convolve(conv1, x)));
  y = bn2(convolve(conv2, y));
  return torch::relu(y + (downsample ? downsample->forward(x) : x));
}

ResNetEncoderImpl::ResNetEncoderImpl(const ModelConfig& cfg) : channels_last_(cfg.channels_last) {
  if (cfg.blocks.size() != cfg.widths.size() || cfg.widths.empty())
    throw std::runtime_error("model.blocks: needs one entry per model.widths stage");
  stem = register_module("stem", conv(1, cfg.widths[0], cfg.stem_kernel, cfg.stem_stride, cfg.stem_padding));
  stem_bn = register_module("stem_bn", torch::nn::BatchNorm2d(cfg.widths[0]));
  stages = torch::nn::Sequential();
  int64_t in = cfg.widths[0];
  for (size_t s = 0; s < cfg.widths.size(); ++s) {
    for (int b = 0; b < cfg.blocks[s]; ++b) {
      int64_t stride = (s > 0 && b == 0) ? 2 : 1;  // each later stage halves the resolution
      stages->push_back(BasicBlock(in, cfg.widths[s], stride, cfg.valid_taps_only));
      in = cfg.widths[s];
    }
  }
  register_module("stages", stages);
  init_resnet(*this);
}

std::vector<BasicBlock> ResNetEncoderImpl::blocks() const {
  std::vector<BasicBlock> v;
  for (const auto& m : *stages) v.push_back(BasicBlock(std::dynamic_pointer_cast<BasicBlockImpl>(m.ptr())));
  return v;
}

torch::Tensor ResNetEncoderImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(stem_bn(stem(channels_last_ ? x.contiguous(at::MemoryFormat::ChannelsLast) : x)));
  y = torch::max_pool2d(y, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
  y = stages->forward(y);
  return y.mean({2, 3});  // global average pooling
}

}  // namespace p2l
