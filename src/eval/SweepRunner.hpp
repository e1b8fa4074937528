#pragma once
// Runs a sweep over cached raw score maps: for every heatmap setting, builds the maps, picks the
// thresholds of every rule, and measures every volume (SPEC sections 7 and 8).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eval/MedianFilter.hpp"
#include "eval/ScoreGrid.hpp"
#include "eval/SweepSpec.hpp"
#include "io/Volume.hpp"

namespace p2l {

struct EvalSubject {
  std::string id;
  int label = 0;
  LabelVolume mask;
  LabelVolume seg;  // empty data: no segmentation (healthy)
  ScoreMaps raw;
  FloatVolume image;  // the preprocessed scan, for figures only (may be empty)
  Geometry source_geom;  // the input scan's grid (size 0: unknown), for the outputs users open
};

struct EvalInputs {
  std::vector<std::string> sets;                         // diseased data sets, table column order
  std::map<std::string, std::vector<EvalSubject>> test;  // per set
  std::map<std::string, std::vector<EvalSubject>> val;   // per set; may lack a set
  std::vector<EvalSubject> healthy_reference;            // thresholds and fusion statistics
  std::vector<EvalSubject> healthy_test;                 // evaluated for false positives
  std::string healthy_name = "healthy";
  std::map<std::string, std::string> source_dirs;  // map source name -> folder of <id>.nii.gz
  int erode_mask = 0;
  MapFilter map_filter = filter_and_mask;  // median + mask of Patch2Loc maps (CPU or device)
};

struct VolumeRow {
  std::string setting, rule, set, id;
  int label = 0;
  double threshold = 0, auroc = 0, auprc = 0, dice = 0, precision = 0, recall = 0, fpr = 0,
         specificity = 0, hd95 = 0, hd_max = 0, gt_ml = 0, pred_ml = 0;
};

struct MeanStd {
  double mean = 0, std = 0;  // over the defined (non-NaN) values; population std
  size_t defined = 0, total = 0;
};
MeanStd mean_std(const std::vector<double>& v);

struct SummaryRow {
  std::string setting, rule, set;
  std::map<std::string, MeanStd> metrics;  // dice, auprc, auroc, precision, recall, fpr, ...
  double slice_auroc = 0, slice_auprc = 0;  // pooled over the set's slices
};

struct SweepResults {
  std::vector<VolumeRow> volumes;
  std::vector<SummaryRow> summary;
  std::vector<std::pair<std::string, std::string>> rows;  // (setting, rule) in sweep order
  std::vector<std::string> notes;                           // rules and sources skipped and why
  std::vector<std::string> failed_sources;                  // map sources with missing or bad maps
};

// The final map of one subject under a heatmap setting without fusion: median-filtered
// combination of the raw components, 0 outside the (eroded) brain mask.
FloatVolume patch2loc_map(const EvalSubject& s, const MapSetting& m, int erode_mask,
                          const MapFilter& filter = filter_and_mask);

class SettingMaps;
struct ScoredVolume;
struct ThresholdRule;

// The threshold of one rule for a volume (its in-brain scores given), or nullopt with the
// reason in `why` when the rule does not apply.
using ThresholdOf = std::function<std::optional<double>(const ThresholdRule&, const ScoredVolume&, std::string& why)>;

// Measures every subject of one set under one setting's maps at each rule's threshold: one
// VolumeRow per (subject, rule) and one SummaryRow per rule into `res`; a rule without a
// threshold gets a note instead. Throws when a diseased subject has no segmentation.
void measure_set(const std::string& setting, const SettingMaps& build, const std::string& set,
                 const std::vector<EvalSubject>& subjects, bool is_healthy, const std::vector<ThresholdRule>& rules,
                 const ThresholdOf& threshold_of, SweepResults& res);

// `log` receives one line per finished setting. A map source with a missing map or a map on
// another grid, for any subject, is reported (path, subject, reason) in `notes` and
// `failed_sources`; its settings are skipped and every other setting is still evaluated.
SweepResults run_sweep(const SweepSpec& spec, const EvalInputs& in,
                       const std::function<void(const std::string&)>& log = {});

}  // namespace p2l
