#pragma once
// One output head (SPEC section 4): Linear, BN, ReLU per hidden width, then Linear to 2.
#include <torch/torch.h>

#include <vector>

namespace p2l {

class LocationHeadImpl : public torch::nn::Module {
 public:
  LocationHeadImpl(int64_t in, const std::vector<int>& hidden, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear output() const { return last; }
  // Linear, BatchNorm1d, ReLU, Linear, ... (for BatchNorm folding).
  const torch::nn::Sequential& hidden() const { return hidden_layers; }

 private:
  torch::nn::Sequential hidden_layers{nullptr};
  torch::nn::Linear last{nullptr};
};
TORCH_MODULE(LocationHead);

}  // namespace p2l
