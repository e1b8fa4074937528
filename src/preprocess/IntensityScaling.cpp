#include "preprocess/IntensityScaling.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/Statistics.hpp"

namespace p2l {

std::vector<double> percentiles_in_mask(const FloatVolume& img, const LabelVolume& mask,
                                        const std::vector<double>& percentiles) {
  std::vector<float> v;
  for (size_t i = 0; i < img.data.size(); ++i)
    if (mask.data[i]) v.push_back(img.data[i]);
  if (v.empty()) throw std::runtime_error("brain mask is empty");
  std::sort(v.begin(), v.end());
  std::vector<double> out;
  for (double p : percentiles) out.push_back(percentile_blend(v, p));
  return out;
}

void clip_and_rescale(FloatVolume& img, const LabelVolume& mask, double p_lo, double p_hi) {
  auto q = percentiles_in_mask(img, mask, {p_lo, p_hi});
  const double lo = q[0], range = q[1] - q[0];
  for (size_t i = 0; i < img.data.size(); ++i) {
    if (!mask.data[i] || range <= 0) {
      img.data[i] = 0.f;
      continue;
    }
    double x = std::clamp(double(img.data[i]), lo, q[1]);
    img.data[i] = float((x - lo) / range);
  }
}

void zero_outside(FloatVolume& img, const LabelVolume& mask) {
  for (size_t i = 0; i < img.data.size(); ++i)
    if (!mask.data[i]) img.data[i] = 0.f;
}

}  // namespace p2l
