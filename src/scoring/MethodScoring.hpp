#pragma once
// Scores the methods of one evaluation over cached raw score maps: for every method, builds
// its maps, picks the thresholds of every rule, and measures every volume (SPEC sections 7
// and 8).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "io/Statistics.hpp"  // MeanStd, mean_std
#include "io/Volume.hpp"
#include "scoring/EvalInputs.hpp"
#include "scoring/MethodGrid.hpp"

namespace p2l {

// `method` and `rule` are the table labels; `method_id` and `rule_id` the stable keys
// (Method::id, ThresholdRule::id) that files and p2l-sweep match on.
struct VolumeRow {
  std::string method, rule, set, id;
  std::string method_id, rule_id;
  int label = 0;
  double threshold = 0, auroc = 0, auprc = 0, dice = 0, precision = 0, recall = 0, fpr = 0,
         specificity = 0, hd95 = 0, hd_max = 0, gt_ml = 0, pred_ml = 0;
};

struct SummaryRow {
  std::string method, rule, set;
  std::string method_id, rule_id;
  std::map<std::string, MeanStd> metrics;  // by SummaryMetric id (config/EvalChoices.hpp)
  double slice_auroc = 0, slice_auprc = 0;  // pooled over the set's slices
};

struct MethodResults {
  std::vector<VolumeRow> volumes;
  std::vector<SummaryRow> summary;
  std::vector<std::pair<std::string, std::string>> rows;  // (method, rule) labels in table order
  std::vector<std::string> notes;                           // rules and sources skipped and why
  std::vector<std::string> failed_sources;                  // map sources with missing or bad maps
  std::vector<std::string> source_notes;                    // the notes on failed_sources (also in notes)
};

// The final map of one subject under a Patch2Loc method without fusion: median-filtered
// combination of the raw components, 0 outside the (eroded) brain mask.
FloatVolume patch2loc_map(const EvalSubject& s, const Method& m, int erode_mask,
                          const MapFilter& filter = filter_and_mask);

class MethodMaps;
struct ScoredVolume;
struct ThresholdRule;

// A table row's method: its label and its stable id.
struct MethodName {
  std::string label, id;
};

// How one rule thresholds the volumes of one method on one set, fixed before any test volume
// is read: per volume (the oracle), one value for the set, or not at all (`why` says why).
struct RuleThreshold {
  enum class Kind { kPerVolume, kFixed, kNone };
  Kind kind = Kind::kNone;
  double value = 0;
  std::string why;
  static RuleThreshold per_volume() { return {Kind::kPerVolume, 0, ""}; }
  static RuleThreshold fixed(double v) { return {Kind::kFixed, v, ""}; }
  static RuleThreshold none(std::string why) { return {Kind::kNone, 0, std::move(why)}; }
};

// One volume under one method: a row per rule (nullopt where the rule has no threshold; only
// the numbers are set, SetMeasurement adds the names), and its slices' mean scores and labels.
struct MeasuredVolume {
  int label = 0;
  std::vector<std::optional<VolumeRow>> rows;
  std::vector<float> slice_score;
  std::vector<uint8_t> slice_label;
};

// Throws when a diseased subject (`is_healthy` false) of `set` has no segmentation.
MeasuredVolume measure_volume(const EvalSubject& s, const FloatVolume& map, const std::vector<RuleThreshold>& thresholds,
                              const std::string& set, bool is_healthy);

// The rows of one method on one set, volume by volume in the set's order: add() takes a
// volume's measurements; finish() appends its VolumeRows and one SummaryRow per rule to `res`
// (a rule without any threshold gets a note instead).
class SetMeasurement {
 public:
  SetMeasurement(MethodName method, std::string set, const std::vector<ThresholdRule>& rules,
                 std::vector<RuleThreshold> thresholds);
  void add(const std::string& id, MeasuredVolume v);
  void finish(MethodResults& res);

 private:
  MethodName method_;
  std::string set_;
  const std::vector<ThresholdRule>& rules_;
  std::vector<RuleThreshold> thresholds_;
  size_t added_ = 0;
  std::vector<VolumeRow> volumes_;
  std::map<std::string, std::vector<VolumeRow>> per_rule_;
  std::vector<float> slice_score_;
  std::vector<uint8_t> slice_label_;
};

struct TestPlan;

// Per method of the grid, what the test splits need (scoring/TestScoring.hpp), from the healthy
// reference and validation splits (held in memory; the test splits are not read here, except
// for their grids when a map source is checked): fusion statistics and each rule's threshold per
// set. Appends the table's rows and the notes on bad map sources to `res`. A map source with a
// missing map or a map on another grid, for any subject, is reported (path, subject, reason) in
// `notes` and `failed_sources`; its methods are left out and every other method is planned.
TestPlan plan_methods(const MethodGrid& grid, const EvalInputs& in, MethodResults& res,
                      const std::function<void(const std::string&)>& log = {});

// plan_methods, then score_test_splits in this process alone: each test subject is loaded once
// and scored by every method, so memory holds one test volume at a time. `log` receives one
// line per method and one per set.
MethodResults score_methods(const MethodGrid& grid, const EvalInputs& in,
                            const std::function<void(const std::string&)>& log = {});

}  // namespace p2l
