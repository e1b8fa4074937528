#include "scoring/Thresholds.hpp"

#include <stdexcept>

#include "scoring/DiceThresholdSearch.hpp"
#include "scoring/OrderStatistics.hpp"

namespace p2l {

DiceChoice best_dice_threshold(const std::vector<ScoredVolume>& volumes) {
  DiceThresholdSearch search;
  for (const auto& v : volumes) search.add(v);
  if (search.needs_second_pass())
    for (const auto& v : volumes) search.refine(v);
  return search.result();
}

double quantile_threshold(const std::vector<float>& values, double q) {
  if (values.empty()) throw std::runtime_error("quantile_threshold: no healthy voxels");
  OrderStatistics os;
  os.add(values);
  os.want_quantile(q);
  os.refine(values);
  return os.quantile(q);
}

double fpr_threshold(const std::vector<float>& values, double fpr) {
  if (values.empty()) throw std::runtime_error("fpr_threshold: no healthy voxels");
  OrderStatistics os;
  os.add(values);
  os.want_exceeded_by(fpr);
  os.refine(values);
  return os.exceeded_by(fpr);
}

}  // namespace p2l
