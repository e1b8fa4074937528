#pragma once
// A hyperparameter sweep (p2l-sweep, docs/SLURM.md): a base config, overrides shared by every
// point, and points given as a grid crossed over config keys and/or an explicit list. Every
// point is one run folder DIR/<point>/ holding its fully resolved config; every value goes
// through the executables' schema, so unknown keys and out-of-range values fail at plan time.
#include <string>
#include <utility>
#include <vector>

#include "sweep/TableMetrics.hpp"

namespace p2l {

struct SweepPoint {
  int index = 0;                                        // array task id, stable across submits
  std::string name;                                     // folder name, e.g. lr-0.001_patch_fraction-0.125
  std::vector<std::pair<std::string, std::string>> values;  // (key, YAML value text), spec key order
  std::string dir;                                      // DIR/<name>, absolute
  bool needs_autoencoder = false;                       // its evaluation reads the "ae" maps
  long train_steps = 0;                                 // its train.steps (for progress)
  double patch_fraction = 0;                            // its train.patch_fraction (its scale when fused)
};

struct SweepReportOptions {
  std::vector<std::string> methods;  // method ids (results_summary.csv's method_id); empty: the first one
  std::string threshold_rule = "validation_dice";  // the rule id whose Dice goes into the table
  std::vector<SummaryMetric> metrics = {SummaryMetric::kDice, SummaryMetric::kAuprc};
};

// Spec key `fuse`: after every point trained, one evaluation of all their checkpoints together
// (eval.scales = the sweep folder, p2l-evaluate's multi-scale evaluation) in DIR/fused, whose
// multi-scale rows join the sweep's table. Each point is one scale, so the points must differ
// in train.patch_fraction, no two alike.
struct SweepFuse {
  bool enabled = false;
  // The reference scale: the point whose best checkpoint is eval.checkpoint and whose resolved
  // config the fused evaluation runs with; by default the point with the base config's patch
  // fraction, else the first.
  std::string reference;
  // The table's fused rows until the evaluation's results_summary.csv says otherwise: the
  // multi-scale sources of the fused config (multiscale_<rule>, eval.multiscale_rules).
  std::vector<std::string> methods;
};

struct SweepNightlyOptions {
  double tolerance = 0.01;  // a metric that moved more than this is listed in regression.md
  int keep = 14;            // archived nightly tables kept
};

struct SweepPlan {
  std::string spec_path;     // absolute
  std::string dir;           // sweep folder, absolute
  std::string base_config;   // as written in the spec (relative paths resolve from the checkout)
  std::string base_config_text;  // its contents, read once when the spec is loaded
  std::vector<std::string> overrides;  // "section.key=value", for every point (the spec's, then the command line's)
  std::vector<std::string> command_line_overrides;  // the command line's alone (passed on to the report job)
  std::string cluster;       // cluster profile file
  std::vector<std::string> keys;       // swept keys, in spec order (the table's columns)
  std::vector<SweepPoint> points;
  SweepReportOptions report;
  SweepFuse fuse;
  SweepNightlyOptions nightly;
  // One autoencoder for every point (trained once in DIR/shared/), because no swept key
  // changes it; spec key `autoencoder`: auto (this rule), shared or per_point.
  bool shared_autoencoder = false;

  std::string points_file() const { return dir + "/points.tsv"; }
  std::string preprocess_config() const { return dir + "/preprocess.yaml"; }
  std::string ledger_file() const { return dir + "/jobs.tsv"; }
  std::string logs_dir() const { return dir + "/logs"; }
  std::string shared_dir() const { return dir + "/shared"; }  // the shared autoencoder's run folder
  std::string fused_dir() const { return dir + "/" + kFusedRun; }  // the fused evaluation's run folder
  std::string fused_config() const { return fused_dir() + "/config.yaml"; }
  // The fused evaluation's folder name, also the `point` of its rows in the sweep table; never a
  // point's name, as those are "key-value" parts (point_name_part).
  static constexpr const char* kFusedRun = "fused";
};

// Reads and validates a spec. Throws naming the spec (and the point) on unknown spec keys,
// unknown config keys (with a suggestion), bad values, duplicate points and swept keys that
// would change the shared preprocessed store.
// `extra_overrides` ("section.key=value", from the command line) follow the spec's overrides.
SweepPlan load_sweep_plan(const std::string& spec_path, const std::vector<std::string>& extra_overrides = {});

// Writes DIR/preprocess.yaml, DIR/<point>/config.yaml for every point and DIR/points.tsv
// ("index<TAB>dir" lines, read by slurm/job-steps.sh and eval.scales), each atomically; with a
// shared autoencoder also DIR/shared/config.yaml, and the points' ae.output_subdir points there;
// with `fuse`, DIR/fused/config.yaml: the reference point's config with run.output_dir
// DIR/fused, eval.checkpoint its best checkpoint, eval.scales [DIR] and the autoencoder its
// evaluation reads.
void write_sweep_plan(const SweepPlan& plan);

// The point fuse.reference names (load_sweep_plan checked that there is one).
const SweepPoint& fuse_reference(const SweepPlan& plan);

// "train.lr" + "1e-3" -> "lr-1e-3": the key's last part and the value, characters other than
// letters, digits, '.', '+' and '-' as '_'.
std::string point_name_part(const std::string& key, const std::string& value);

// Whether a swept key can change the autoencoder baseline: every key does except Patch2Loc's
// own (model.*, the train.* keys the schema scopes to Patch2Loc alone: Schema::Scope) and the
// evaluation's (eval.*, zscore.*).
bool changes_autoencoder(const std::string& key);

}  // namespace p2l
