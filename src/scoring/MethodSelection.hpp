#pragma once
// Validation-selected evaluation methods, as nnU-Net's find_best_configuration: among the
// candidate map methods, the one whose maps reach the highest mean Dice on diseased validation
// volumes at its own validation threshold. Per set, each lesion set chooses on its own
// validation split; pooled, one method and one threshold are chosen on the validation splits of
// all sets together. The test splits are then scored with that method and that threshold.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scoring/Fusion.hpp"
#include "scoring/MethodScoring.hpp"
#include "scoring/MethodGrid.hpp"

namespace p2l {

struct SelectedMethod {
  Method method;
  double threshold = 0;    // the validation-Dice threshold of `method`
  double val_dice = 0;     // mean Dice over the validation volumes at `threshold`
  size_t val_volumes = 0;
  MapStats source_stats, partner_stats;  // its fusion statistics on the healthy reference
};

struct MethodSelection {
  std::map<std::string, SelectedMethod> per_set;  // sets with a diseased validation split
  std::optional<SelectedMethod> pooled;
  size_t candidates = 0;                           // methods compared
};

// Reads only in.val and in.healthy_reference (fusion statistics), in passes that hold one volume
// (scoring/HeldSplits.hpp): the test splits cannot change a choice. Candidates using a source in
// `skip` (maps missing or on another grid) are left out. Ties keep the earlier candidate. `log`
// gets one progress line per pass.
MethodSelection select_methods(const std::vector<Method>& candidates, const EvalInputs& in, bool per_set,
                                 bool pooled, const std::set<std::string>& skip = {},
                                 const std::function<void(const std::string&)>& log = {});

// Row labels of the selected methods in tables, and their ids in CSVs.
inline constexpr const char* kSelectedPerSet = "Validation-selected (per set)";
inline constexpr const char* kSelectedPooled = "Validation-selected (pooled)";
inline constexpr const char* kSelectedPerSetId = "selected/per_set";
inline constexpr const char* kSelectedPooledId = "selected/pooled";

struct TestPlan;

// Appends to `plan` (scoring/TestScoring.hpp) the test splits' scoring with the chosen methods
// at their validation thresholds, and to `res` their rows kSelectedPerSet / kSelectedPooled
// with the rule "validation Dice": per set, each set's choice on its test split; pooled, the
// one choice on every test split and the healthy test split.
void plan_selected(const MethodSelection& sel, const EvalInputs& in, TestPlan& plan, MethodResults& res);
// plan_selected, then score_test_splits in this process alone.
void score_selected(const MethodSelection& sel, const EvalInputs& in, MethodResults& res);

// report/selection.csv: scope, set ("all" when pooled), setting (the method's label),
// threshold, validation Dice, validation volumes, candidates compared, method_id.
void write_selection_csv(const std::string& path, const MethodSelection& sel, const std::vector<std::string>& sets);
// One readable line per choice: "selected for tumor: <method> (validation Dice 0.71 on 2 volumes, threshold 3.2)".
std::vector<std::string> selection_lines(const MethodSelection& sel, const std::vector<std::string>& sets);

}  // namespace p2l
