#pragma once
// What the test scoring needs from the held splits, the healthy reference and each set's
// diseased validation split: per method, its fusion statistics, its thresholds at healthy-voxel
// quantiles and false-positive rates, and its validation-Dice thresholds. Computed in passes
// over the splits that load one held volume at a time (SubjectList) and build every method's
// map of it: one pass over the reference for the fusion statistics, then, for each group of
// methods sharing a Patch2Loc variant (each variant's median filter once per volume and pass),
// a pass of counts and a pass resolving the buckets that decide. Memory holds one volume plus
// one group's counts (OrderStatistics, DiceThresholdSearch: per method and validation volume,
// its occupied buckets and the distinct scores of its deciding buckets), exact as if every
// voxel were pooled and sorted. Only the fisher fusion keeps values: its healthy tail
// probabilities need every reference voxel of its two sources (MapStats::sorted).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scoring/EvalInputs.hpp"
#include "scoring/Fusion.hpp"
#include "scoring/MethodGrid.hpp"
#include "scoring/Thresholds.hpp"

namespace p2l {

struct HeldNeeds {
  std::vector<double> quantiles;  // healthy-voxel percentiles (0..100)
  std::vector<double> rates;      // healthy-voxel false-positive rates (0..1)
  bool per_set = false;           // each set's validation-Dice threshold
  bool pooled = false;            // one validation-Dice threshold over every set's validation split
};

struct ValidationChoice {
  DiceChoice choice;
  size_t volumes = 0;  // diseased validation volumes searched
};

struct HeldSummary {
  MapStats source_stats, partner_stats;  // fusion statistics (defaults without fusion)
  bool has_healthy = false;              // the reference had in-brain voxels
  std::vector<double> quantile, rate;    // per HeldNeeds entry, when has_healthy
  std::map<std::string, ValidationChoice> per_set;  // sets with diseased validation volumes
  std::optional<ValidationChoice> pooled;
};

// One summary per method, in order. `log` gets a line per pass (what, volumes, seconds) and
// the most bytes of counts one group held.
std::vector<HeldSummary> summarize_held_splits(const std::vector<Method>& methods, const EvalInputs& in,
                                               const HeldNeeds& needs,
                                               const std::function<void(const std::string&)>& log = {});

}  // namespace p2l
