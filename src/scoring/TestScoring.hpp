#pragma once
// The test splits' scoring, spread over the ranks. Rank 0 plans it from the held healthy
// reference and validation splits (MethodScoring's plan_methods, MethodSelection's
// plan_selected): per method, its maps' fusion statistics and every rule's threshold, fixed
// before any test volume is read. The plan goes to every rank as bytes; each rank then scores
// its share of every test split (volume i of a split on rank i mod size), loading one volume at a
// time, and sends its measurements to rank 0, which adds them in the splits' order: the table,
// CSVs and notes are the same on any number of ranks.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scoring/Fusion.hpp"
#include "scoring/MethodGrid.hpp"
#include "scoring/MethodScoring.hpp"

namespace p2l {

class World;

// One method's maps and thresholds on one test split.
struct GroupPlan {
  Method method;
  MapStats source_stats, partner_stats;  // fusion statistics (unused without fusion)
  std::vector<RuleThreshold> thresholds;  // one per rule of the entry
};

// One block of table rows: a method (or a validation-selected choice) over the test splits.
struct PlanEntry {
  MethodName name;
  std::vector<ThresholdRule> rules;
  std::vector<std::optional<GroupPlan>> groups;  // per test_groups() entry; nullopt: not scored
  std::vector<std::string> group_notes;          // per group: the note when it is not scored ("" none)
};

struct TestPlan {
  std::vector<PlanEntry> entries;  // in table order
};

// The test splits in table order: every set's `<set>_test` that `in` has, then the healthy test
// split (`is_healthy`).
struct TestGroup {
  std::string name;
  const SubjectList* subjects;
  bool is_healthy;
};
std::vector<TestGroup> test_groups(const EvalInputs& in);

std::string encode_plan(const TestPlan& plan);
TestPlan decode_plan(const std::string& bytes);  // throws on bytes encode_plan did not write

// Every rank calls it with the same plan and the same lists in `in` (its test splits and map
// sources; the held splits may be empty on ranks other than 0). On rank 0 the rows, summaries
// and notes of every entry are appended to `res`, entry by entry, split by split; `log` gets a
// progress line (volumes, rate, ETA) at most every `progress_seconds` and one line per split.
void score_test_splits(const TestPlan& plan, const EvalInputs& in, World& world, MethodResults& res,
                       const std::function<void(const std::string&)>& log = {}, double progress_seconds = 30);

}  // namespace p2l
