#pragma once
// What a sweep evaluates (SPEC section 8): map settings crossed with threshold rules; every
// (setting, rule) is a table row. A setting is one map source alone (Patch2Loc for each score
// component x median size; a baseline such as the z-score or the autoencoder; an external
// folder) or a pair of sources fused with one mode (and weight).
#include <string>
#include <utility>
#include <vector>

namespace p2l {
struct EvalConfig;

// The Patch2Loc heatmap's map source name; other names are baselines or external folders.
inline constexpr const char* kPatch2Loc = "patch2loc";

struct MapSetting {
  std::string score = "both";   // Patch2Loc: error, variance, both
  int median_size = 7;          // Patch2Loc: median filter size
  std::string fusion = "none";  // none (source alone), product, weighted, max, fisher (source with partner)
  double weight = 0.5;          // w of "weighted" (the weight of `source`)
  std::string source = kPatch2Loc;
  std::string partner;          // the second source of a fusion
  std::string label() const;
  bool uses_patch2loc() const { return source == kPatch2Loc || partner == kPatch2Loc; }
};

// A label as a file-name part: lower case, runs of anything but letters and digits as '_'
// ("healthy q98" -> "healthy_q98"; "" when nothing is left).
std::string label_file_part(const std::string& label);

// A map source's name in tables: Patch2Loc, z-score, AE, or the name itself.
std::string source_label(const std::string& name);
// "a*b" -> {a, b}; throws naming `what` when it is not two non-empty names.
std::pair<std::string, std::string> parse_fusion_pair(const std::string& pair, const std::string& what);

struct ThresholdRule {
  std::string rule;   // best_dice_per_volume, validation_dice, healthy_quantile, fpr
  double value = 0;   // the quantile (percent) or the FPR target
  std::string label() const;
};

struct SweepSpec {
  std::vector<MapSetting> settings;
  std::vector<ThresholdRule> rules;
};

// From the config: eval.sources alone, then eval.fusion_pairs x eval.fusion_modes, with
// Patch2Loc at eval.score and eval.median_size.
SweepSpec sweep_from_config(const EvalConfig& cfg);
// The search space of the validation selection (eval.select_*), in the order ties are broken
// by: sources alone, then fusion pairs x modes (x weights), each Patch2Loc use x scores x
// median sizes.
std::vector<MapSetting> selection_candidates(const EvalConfig& cfg);
// A YAML sweep file; keys it omits take the config's values (docs/EVALUATION.md):
//   sources, fusion_pairs, scores, median_sizes, fusion (modes), weights, thresholds,
//   quantiles, fpr_targets.
// Throws naming the file on unknown keys or bad values.
SweepSpec read_sweep(const std::string& path, const EvalConfig& cfg);

}  // namespace p2l
