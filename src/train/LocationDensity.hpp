#pragma once
// The training-location density the published code tracks: a bins x bins histogram of the
// sampled targets t = (100 y / H, 100 x / W), rows = y, columns = x.
#include <torch/torch.h>

#include <string>

namespace p2l {

class LocationDensity {
 public:
  explicit LocationDensity(int bins);
  // targets [N, 2] in [0, 100).
  void add(const torch::Tensor& targets);
  torch::Tensor& counts() { return counts_; }  // [bins, bins] float64
  const torch::Tensor& counts() const { return counts_; }
  // Comma-separated rows, atomically.
  void write_csv(const std::string& path) const;

 private:
  int bins_;
  torch::Tensor counts_;
};

}  // namespace p2l
