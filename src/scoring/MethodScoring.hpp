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
  std::map<std::string, MeanStd> metrics;  // dice, auprc, auroc, precision, recall, fpr, ...
  double slice_auroc = 0, slice_auprc = 0;  // pooled over the set's slices
};

struct MethodResults {
  std::vector<VolumeRow> volumes;
  std::vector<SummaryRow> summary;
  std::vector<std::pair<std::string, std::string>> rows;  // (method, rule) labels in table order
  std::vector<std::string> notes;                           // rules and sources skipped and why
  std::vector<std::string> failed_sources;                  // map sources with missing or bad maps
};

// The final map of one subject under a Patch2Loc method without fusion: median-filtered
// combination of the raw components, 0 outside the (eroded) brain mask.
FloatVolume patch2loc_map(const EvalSubject& s, const Method& m, int erode_mask,
                          const MapFilter& filter = filter_and_mask);

class MethodMaps;
struct ScoredVolume;
struct ThresholdRule;

// The threshold of one rule for a volume (its in-brain scores given), or nullopt with the
// reason in `why` when the rule does not apply.
using ThresholdOf = std::function<std::optional<double>(const ThresholdRule&, const ScoredVolume&, std::string& why)>;

// A table row's method: its label and its stable id.
struct MethodName {
  std::string label, id;
};

// The rows of one method on one set, volume by volume: add() measures a subject's map at every
// rule's threshold (a VolumeRow per rule that has one); finish() appends those rows and one
// SummaryRow per rule to `res` (a rule without any threshold gets a note instead). Throws when a
// diseased subject has no segmentation.
class SetMeasurement {
 public:
  SetMeasurement(MethodName method, std::string set, bool is_healthy, const std::vector<ThresholdRule>& rules,
                 ThresholdOf threshold_of);
  void add(const EvalSubject& s, const FloatVolume& map);
  void finish(MethodResults& res);

 private:
  MethodName method_;
  std::string set_;
  bool is_healthy_;
  const std::vector<ThresholdRule>& rules_;
  ThresholdOf threshold_of_;
  std::vector<VolumeRow> volumes_;
  std::map<std::string, std::vector<VolumeRow>> per_rule_;
  std::map<std::string, std::string> why_not_;
  std::vector<float> slice_score_;
  std::vector<uint8_t> slice_label_;
};

// Every subject of one set (loaded one at a time) under one method's maps, through a
// SetMeasurement.
void measure_set(const MethodName& method, const MethodMaps& build, const std::string& set,
                 const SubjectList& subjects, bool is_healthy, const std::vector<ThresholdRule>& rules,
                 const ThresholdOf& threshold_of, MethodResults& res);

// First, per method, the thresholds from the healthy reference and validation splits; then each
// test subject is loaded once and scored by every method, so memory holds one test volume at a
// time. `log` receives one line per method and one per set. A map source with a missing map or
// a map on another grid, for any subject, is reported (path, subject, reason) in `notes` and
// `failed_sources`; its methods are skipped and every other method is still evaluated.
MethodResults score_methods(const MethodGrid& grid, const EvalInputs& in,
                            const std::function<void(const std::string&)>& log = {});

}  // namespace p2l
