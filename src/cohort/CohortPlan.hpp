#pragma once
// What the cohort consists of: every subject with its id, set, age, seed and files in the
// layout of the real data (SPEC section 2), and the split CSVs that list them.
#include <cstdint>
#include <string>
#include <vector>

#include "io/SplitCsv.hpp"

namespace p2l {

struct CohortConfig;

struct PlannedSubject {
  std::string id;       // e.g. IXI_sim_000, tumor_sim_003
  std::string set;      // "" for healthy, else the lesion set
  std::string split;    // "pool" (healthy train/val folds), "test" or "val"
  uint64_t seed = 0;    // per-subject seed, from (cohort seed, set, split, index)
  double age = 0;
  std::string t1, t2, mask, seg;  // absolute paths (seg empty for healthy)
};

struct CohortPlan {
  std::vector<PlannedSubject> subjects;
  // Split name (e.g. "IXI_train_fold0") -> indices into `subjects`, in file order.
  std::vector<std::pair<std::string, std::vector<size_t>>> splits;
};

constexpr int kFolds = 5;

CohortPlan plan_cohort(const CohortConfig& cfg, const std::string& data_dir);

// The split CSV rows of one split (image path = the T1 file; the T2 lies beside it with t1 -> t2).
std::vector<SubjectRecord> split_rows(const CohortPlan& plan, const std::vector<size_t>& members);

}  // namespace p2l
