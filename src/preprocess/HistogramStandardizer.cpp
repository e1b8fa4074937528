#include "preprocess/HistogramStandardizer.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace p2l {

std::vector<double> learn_standard_landmarks(const std::vector<std::vector<double>>& per_image) {
  if (per_image.empty()) throw std::runtime_error("histogram standardisation: no training images");
  const size_t n = per_image[0].size();
  if (n < 2) throw std::runtime_error("histogram standardisation: need at least 2 landmarks");
  std::vector<double> mean(n, 0.0);
  for (const auto& l : per_image) {
    if (l.size() != n) throw std::runtime_error("histogram standardisation: landmark counts differ");
    const double span = l.back() - l.front();
    if (!(span > 0)) throw std::runtime_error("histogram standardisation: a training image has flat landmarks");
    for (size_t k = 0; k < n; ++k) mean[k] += 100.0 * (l[k] - l.front()) / span;
  }
  for (auto& m : mean) m /= double(per_image.size());
  return mean;
}

void apply_standardization(FloatVolume& img, const std::vector<double>& own,
                           const std::vector<double>& standard) {
  if (own.size() != standard.size() || own.size() < 2)
    throw std::runtime_error("histogram standardisation: landmark counts differ");
  for (size_t k = 1; k < own.size(); ++k)
    if (!(own[k] > own[k - 1]))
      throw std::runtime_error("histogram standardisation: image landmarks not strictly increasing "
                               "(landmark " + std::to_string(k) + ")");
  for (auto& v : img.data) {
    // Segment whose left landmark is the last one <= v, clamped to the first and last segments.
    size_t k = size_t(std::upper_bound(own.begin(), own.end(), double(v)) - own.begin());
    k = std::clamp<size_t>(k, 1, own.size() - 1);
    const double t = (double(v) - own[k - 1]) / (own[k] - own[k - 1]);
    v = float(standard[k - 1] + t * (standard[k] - standard[k - 1]));
  }
}

}  // namespace p2l
