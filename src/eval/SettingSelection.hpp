#pragma once
// Validation-selected evaluation settings, as nnU-Net's find_best_configuration: among the
// candidate map settings, the one whose maps reach the highest mean Dice on diseased validation
// volumes at its own validation threshold. Per set, each lesion set chooses on its own
// validation split; pooled, one setting and one threshold are chosen on the validation splits of
// all sets together. The test splits are then scored with that setting and that threshold.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "eval/SweepRunner.hpp"
#include "eval/SweepSpec.hpp"

namespace p2l {

struct SelectedSetting {
  MapSetting setting;
  double threshold = 0;    // the validation-Dice threshold of `setting`
  double val_dice = 0;     // mean Dice over the validation volumes at `threshold`
  size_t val_volumes = 0;
};

struct SettingSelection {
  std::map<std::string, SelectedSetting> per_set;  // sets with a diseased validation split
  std::optional<SelectedSetting> pooled;
  size_t candidates = 0;                           // settings compared
};

// Reads only in.val and in.healthy_reference (fusion statistics): the test splits cannot
// change a choice. Candidates using a source in `skip` (maps missing or on another grid) are
// left out. Ties keep the earlier candidate. `log` gets one progress line per Patch2Loc variant.
SettingSelection select_settings(const std::vector<MapSetting>& candidates, const EvalInputs& in, bool per_set,
                                 bool pooled, const std::set<std::string>& skip = {},
                                 const std::function<void(const std::string&)>& log = {});

// Row labels of the selected settings in tables and CSVs.
inline constexpr const char* kSelectedPerSet = "Validation-selected (per set)";
inline constexpr const char* kSelectedPooled = "Validation-selected (pooled)";

// Scores the test splits (and, for the pooled choice, the healthy test set) with the chosen
// settings at their validation thresholds: rows kSelectedPerSet / kSelectedPooled with the rule
// "validation Dice", appended to `res`.
void score_selected(const SettingSelection& sel, const EvalInputs& in, SweepResults& res);

// report/selection.csv: scope, set ("all" when pooled), setting, threshold, validation Dice,
// validation volumes, candidates compared.
void write_selection_csv(const std::string& path, const SettingSelection& sel, const std::vector<std::string>& sets);
// One readable line per choice: "selected for tumor: <setting> (validation Dice 0.71 on 2 volumes, threshold 3.2)".
std::vector<std::string> selection_lines(const SettingSelection& sel, const std::vector<std::string>& sets);

}  // namespace p2l
