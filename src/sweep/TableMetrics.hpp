#pragma once
// The metrics of results_summary.csv (config/EvalChoices.hpp: SummaryMetric) as the sweep table
// and the nightly comparison read them: the one owner of each metric's heading, which way is
// better, and whether it means anything on a set without lesions.
#include <string>

#include "config/EvalChoices.hpp"

namespace p2l {

// kNeither: a size or a setting, listed when it moves but never a regression.
enum class MetricDirection { kHigherIsBetter, kLowerIsBetter, kNeither };
inline MetricDirection metric_direction(SummaryMetric m) {
  switch (m) {
    case SummaryMetric::kFpr:
    case SummaryMetric::kHd95:
    case SummaryMetric::kHdMax:
      return MetricDirection::kLowerIsBetter;
    case SummaryMetric::kGtMl:
    case SummaryMetric::kPredMl:
    case SummaryMetric::kThreshold:
      return MetricDirection::kNeither;
    default:
      return MetricDirection::kHigherIsBetter;
  }
}

// The column heading; the id where the table has no other name for it.
inline std::string metric_label(SummaryMetric m) {
  switch (m) {
    case SummaryMetric::kDice: return "Dice";
    case SummaryMetric::kAuprc: return "AUPRC";
    case SummaryMetric::kAuroc: return "AUROC";
    case SummaryMetric::kFpr: return "FPR";
    case SummaryMetric::kHd95: return "HD95";
    case SummaryMetric::kHdMax: return "HD";
    default: return summary_metrics().id(m);
  }
}

// Whether a set without lesions gets a column for the metric (Dice, AUPRC and the like say
// nothing there; the false-positive rate does).
inline bool tabulated_without_lesions(SummaryMetric m) { return m == SummaryMetric::kFpr; }

// The metric whose mean is a set's ground-truth lesion volume: above 0 marks a set with lesions.
inline constexpr SummaryMetric kLesionVolume = SummaryMetric::kGtMl;

}  // namespace p2l
