#include "train/LocationDensity.hpp"

#include <sstream>

#include "io/AtomicFile.hpp"

namespace p2l {

LocationDensity::LocationDensity(int bins)
    : bins_(bins), counts_(torch::zeros({bins, bins}, torch::kFloat64)) {}

void LocationDensity::add(const torch::Tensor& targets) {
  if (targets.numel() == 0) return;
  // The counts follow the targets to their device: no copy of a batch leaves the GPU.
  if (counts_.device() != targets.device()) counts_ = counts_.to(targets.device());
  auto t = targets.detach().to(torch::kFloat64);
  auto cell = (t * (bins_ / 100.0)).floor().clamp(0, bins_ - 1).to(torch::kLong);
  auto flat = cell.select(1, 0) * bins_ + cell.select(1, 1);
  counts_.view({-1}).index_add_(0, flat, torch::ones({flat.size(0)}, counts_.options()));
}

void LocationDensity::write_csv(const std::string& path) const {
  std::ostringstream os;
  auto c = counts_.to(torch::kCPU).contiguous();
  const double* p = c.data_ptr<double>();
  for (int r = 0; r < bins_; ++r) {
    for (int col = 0; col < bins_; ++col) os << (col ? "," : "") << int64_t(p[r * bins_ + col]);
    os << "\n";
  }
  write_file_atomic(path, os.str());
}

}  // namespace p2l
