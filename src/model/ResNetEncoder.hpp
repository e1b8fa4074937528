#pragma once
// ResNet encoder of 1-channel patches (SPEC section 4): a configurable stem, a 3x3 stride-2
// max-pool, stages of BasicBlocks and global average pooling to a widths.back()-d feature.
#include <torch/torch.h>

#include "config/ModelConfig.hpp"

namespace p2l {

class BasicBlockImpl : public torch::nn::Module {
 public:
  // valid_taps_only: convolutions skip the taps that only multiply padding (ValidTapConv.hpp).
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride, bool valid_taps_only);
  torch::Tensor forward(const torch::Tensor& x);

  // The layers, for BatchNorm folding (FoldedPatch2LocNet).
  const torch::nn::Conv2d& first_conv() const { return conv1; }
  const torch::nn::Conv2d& second_conv() const { return conv2; }
  const torch::nn::BatchNorm2d& first_norm() const { return bn1; }
  const torch::nn::BatchNorm2d& second_norm() const { return bn2; }
  const torch::nn::Sequential& shortcut() const { return downsample; }  // null: identity

 private:
  bool valid_taps_only_;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // null when shape is unchanged
  torch::Tensor convolve(torch::nn::Conv2d& conv, const torch::Tensor& x);
};
TORCH_MODULE(BasicBlock);

class ResNetEncoderImpl : public torch::nn::Module {
 public:
  explicit ResNetEncoderImpl(const ModelConfig& cfg);
  // [N, 1, p, p] -> [N, widths.back()]
  torch::Tensor forward(const torch::Tensor& x);

  // The layers, for BatchNorm folding (FoldedPatch2LocNet).
  const torch::nn::Conv2d& stem_conv() const { return stem; }
  const torch::nn::BatchNorm2d& stem_norm() const { return stem_bn; }
  std::vector<BasicBlock> blocks() const;

 private:
  bool channels_last_;
  torch::nn::Conv2d stem{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  torch::nn::Sequential stages{nullptr};
};
TORCH_MODULE(ResNetEncoder);

}  // namespace p2l
