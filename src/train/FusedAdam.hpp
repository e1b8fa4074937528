#pragma once
// torch::optim::Adam whose step updates each parameter in one pass over its elements: LibTorch
// 1.x runs Adam as seven separate tensor operations per parameter, and on the CPU their memory
// traffic over 11.8M parameters cost a fifth of a training step. Same options, same state
// (checkpoints are interchangeable with torch::optim::Adam) and the same arithmetic, up to the
// rounding of fused multiply-adds. Weight decay and AMSGrad are not supported (not used here);
// tensors that are not contiguous float32 on the CPU take LibTorch's own path.
#include <torch/torch.h>

namespace p2l {

class FusedAdam : public torch::optim::Adam {
 public:
  FusedAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options);
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace p2l
