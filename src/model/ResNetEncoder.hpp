#pragma once
// ResNet encoder of 1-channel patches (SPEC section 4): a configurable stem, a 3x3 stride-2
// max-pool, stages of BasicBlocks and global average pooling to a widths.back()-d feature.
#include <torch/torch.h>

#include "config/ModelConfig.hpp"

namespace p2l {

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // null when shape is unchanged
};
TORCH_MODULE(BasicBlock);

class ResNetEncoderImpl : public torch::nn::Module {
 public:
  explicit ResNetEncoderImpl(const ModelConfig& cfg);
  // [N, 1, p, p] -> [N, widths.back()]
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d stem{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  torch::nn::Sequential stages{nullptr};
};
TORCH_MODULE(ResNetEncoder);

}  // namespace p2l
