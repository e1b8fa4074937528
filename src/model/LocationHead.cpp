#include "model/LocationHead.hpp"

namespace p2l {

LocationHeadImpl::LocationHeadImpl(int64_t in, const std::vector<int>& hidden, int64_t out) {
  hidden_layers = torch::nn::Sequential();
  for (int width : hidden) {
    hidden_layers->push_back(torch::nn::Linear(in, width));
    hidden_layers->push_back(torch::nn::BatchNorm1d(width));
    hidden_layers->push_back(torch::nn::ReLU());
    in = width;
  }
  register_module("hidden", hidden_layers);
  last = register_module("out", torch::nn::Linear(in, out));
}

torch::Tensor LocationHeadImpl::forward(const torch::Tensor& x) {
  return last(hidden_layers->forward(x));
}

}  // namespace p2l
