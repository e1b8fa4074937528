#include "scoring/Thresholds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "io/Statistics.hpp"

namespace p2l {

DiceChoice best_dice_threshold(const std::vector<ScoredVolume>& volumes) {
  struct Entry {
    float score;
    uint32_t volume;
    uint8_t label;
  };
  std::vector<Entry> all;
  std::vector<size_t> pos(volumes.size(), 0), tp(volumes.size(), 0), fp(volumes.size(), 0);
  for (size_t v = 0; v < volumes.size(); ++v) {
    const auto& vol = volumes[v];
    for (size_t i = 0; i < vol.score.size(); ++i) {
      all.push_back({vol.score[i], uint32_t(v), vol.label[i]});
      pos[v] += vol.label[i] != 0;
    }
  }
  if (volumes.empty()) throw std::runtime_error("best_dice_threshold: no volumes");
  auto dice = [&](size_t v) {
    const size_t den = tp[v] + fp[v] + pos[v];  // 2tp + fp + fn
    return den == 0 ? 1.0 : 2.0 * double(tp[v]) / double(den);
  };
  double sum = 0;
  for (size_t v = 0; v < volumes.size(); ++v) sum += dice(v);
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.score > b.score; });
  const double n = double(volumes.size());
  DiceChoice best;
  best.dice = sum / n;
  best.threshold = all.empty() ? 0.0 : double(all.front().score);
  for (size_t i = 0; i < all.size();) {
    const float s = all[i].score;
    for (; i < all.size() && all[i].score == s; ++i) {
      const uint32_t v = all[i].volume;
      sum -= dice(v);
      (all[i].label ? tp[v] : fp[v])++;
      sum += dice(v);
    }
    // Every score >= s is now predicted: the threshold is the next lower distinct score.
    if (sum / n > best.dice) {
      best.dice = sum / n;
      best.threshold = i < all.size() ? double(all[i].score)
                                      : std::nextafter(double(s), -std::numeric_limits<double>::infinity());
    }
  }
  return best;
}

double quantile_threshold(std::vector<float> values, double q) {
  if (values.empty()) throw std::runtime_error("quantile_threshold: no healthy voxels");
  std::sort(values.begin(), values.end());
  return percentile_lerp(values, q);
}

double fpr_threshold(std::vector<float> values, double fpr) {
  if (values.empty()) throw std::runtime_error("fpr_threshold: no healthy voxels");
  // With values sorted descending, at most k values exceed the k-th (0-based) one.
  const size_t k = std::min(values.size() - 1, size_t(std::floor(fpr * double(values.size()))));
  std::nth_element(values.begin(), values.begin() + k, values.end(), std::greater<float>());
  return double(values[k]);
}

}  // namespace p2l
