#pragma once
// What a sweep evaluates (SPEC section 8): heatmap settings (score components x median sizes x
// fusion modes and weights) crossed with threshold rules. Every (setting, rule) is a table row.
#include <string>
#include <vector>

namespace p2l {
struct EvalConfig;

struct MapSetting {
  std::string score = "both";   // error, variance, both
  int median_size = 7;
  std::string fusion = "none";  // none (Patch2Loc alone), map (the fused map alone), product, weighted, max
  double weight = 0.5;          // w of "weighted"
  std::string label() const;
};

struct ThresholdRule {
  std::string rule;   // best_dice_per_volume, validation_dice, healthy_quantile, fpr
  double value = 0;   // the quantile (percent) or the FPR target
  std::string label() const;
};

struct SweepSpec {
  std::vector<MapSetting> settings;
  std::vector<ThresholdRule> rules;
};

// One setting from the config (eval.score, eval.median_size, "none" plus eval.fusion_modes).
SweepSpec sweep_from_config(const EvalConfig& cfg);
// A YAML sweep file; keys it omits take the config's values (docs/EVALUATION.md):
//   scores, median_sizes, fusion, weights, thresholds, quantiles, fpr_targets.
// Throws naming the file on unknown keys or bad values.
SweepSpec read_sweep(const std::string& path, const EvalConfig& cfg);

}  // namespace p2l
