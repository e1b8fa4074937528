#pragma once
// The methods of one evaluation (SPEC section 8) crossed with threshold rules; every
// (method, rule) is a table row. A method is one map source alone (Patch2Loc for each score
// component x median size; a baseline such as the z-score or the autoencoder; an external
// folder) or a pair of sources fused with one mode (and weight).
#include <string>
#include <utility>
#include <vector>

#include "config/EvalChoices.hpp"
#include "config/FusionPair.hpp"

namespace p2l {
struct EvalConfig;

// Whether a map source name is the Patch2Loc heatmap (the others are baselines or external folders).
inline bool is_patch2loc(const std::string& source) { return built_in_source(source) == BuiltInSource::kPatch2Loc; }

struct Method {
  ScoreComponent score = ScoreComponent::kBoth;  // Patch2Loc's score component
  int median_size = 7;                           // Patch2Loc's median filter size
  FusionMode fusion = FusionMode::kNone;         // kNone: `source` alone; else fused with `partner`
  double weight = 0.5;                           // w of "weighted" (the weight of `source`)
  std::string source = source_name(BuiltInSource::kPatch2Loc);
  std::string partner;                           // the second source of a fusion
  // For tables: "Patch2Loc both m7", "z-score", "Patch2Loc both m7 x z-score (fisher)".
  std::string label() const;
  // Stable key for files and p2l-sweep: "patch2loc/both/m7", "zscore",
  // "patch2loc/both/m7*zscore:fisher", "...:weighted=0.50".
  std::string id() const;
  bool uses_patch2loc() const { return is_patch2loc(source) || is_patch2loc(partner); }
};

// A label as a file-name part: lower case, runs of anything but letters and digits as '_'
// ("healthy q98" -> "healthy_q98"; "" when nothing is left).
std::string label_file_part(const std::string& label);

// A map source's name in tables: Patch2Loc, z-score, AE, or the name itself.
std::string source_label(const std::string& name);
// parse_fusion_pair ("a*b" -> {a, b}) is config/FusionPair.hpp's.

struct ThresholdRule {
  ThresholdRuleKind kind = ThresholdRuleKind::kValidationDice;
  double value = 0;  // the quantile (percent) or the FPR target
  std::string label() const;  // "validation Dice", "healthy q98", "healthy FPR 1%"
  std::string id() const;     // "validation_dice", "healthy_quantile=98", "fpr=0.01"
};

struct MethodGrid {
  std::vector<Method> methods;
  std::vector<ThresholdRule> rules;
};

// From the config: eval.sources alone, then eval.fusion_pairs x eval.fusion_modes, with
// Patch2Loc at eval.score and eval.median_size.
MethodGrid method_grid_from_config(const EvalConfig& cfg);
// The search space of the validation selection (eval.select_*), in the order ties are broken
// by: sources alone, then fusion pairs x modes (x weights), each Patch2Loc use x scores x
// median sizes.
std::vector<Method> selection_candidates(const EvalConfig& cfg);
// A YAML method-grid file (eval.methods); keys it omits take the config's values
// (docs/EVALUATION.md):
//   sources, fusion_pairs, scores, median_sizes, fusion (modes), weights, thresholds,
//   quantiles, fpr_targets.
// Throws naming the file on unknown keys or bad values.
MethodGrid read_method_grid(const std::string& path, const EvalConfig& cfg);

}  // namespace p2l
