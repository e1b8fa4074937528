#pragma once
// The reference for threshold searches: the Dice at every distinct score, mean Dice summed
// afresh in volume order, the first (highest) threshold of the highest mean kept.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "scoring/Thresholds.hpp"

namespace p2l::testing {

inline DiceChoice sweep_every_score(const std::vector<ScoredVolume>& vols) {
  std::vector<float> distinct;
  for (const auto& v : vols) distinct.insert(distinct.end(), v.score.begin(), v.score.end());
  std::sort(distinct.begin(), distinct.end(), std::greater<float>());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  auto mean_at = [&](double t) {
    double s = 0;
    for (const auto& v : vols) {
      uint64_t tp = 0, fp = 0, pos = 0;
      for (size_t i = 0; i < v.score.size(); ++i) {
        pos += v.label[i];
        if (double(v.score[i]) > t) (v.label[i] ? tp : fp)++;
      }
      const uint64_t den = tp + fp + pos;
      s += den == 0 ? 1.0 : 2.0 * double(tp) / double(den);
    }
    return s / double(vols.size());
  };
  std::vector<double> thresholds;
  if (distinct.empty()) thresholds.push_back(0.0);
  for (float d : distinct) thresholds.push_back(d);  // the highest first: predicts nothing
  if (!distinct.empty())
    thresholds.push_back(std::nextafter(double(distinct.back()), -std::numeric_limits<double>::infinity()));
  DiceChoice best{thresholds.front(), mean_at(thresholds.front())};
  for (double t : thresholds)
    if (const double m = mean_at(t); m > best.dice) best = {t, m};
  return best;
}

}  // namespace p2l::testing
