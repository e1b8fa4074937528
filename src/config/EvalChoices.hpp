#pragma once
// The evaluation's closed vocabularies (SPEC sections 6 to 8) and their stable ids: the one
// owner of the values that eval.* keys, method-grid files, result CSVs and p2l-sweep accept.
#include <optional>
#include <string>
#include <vector>

#include "config/NamedEnum.hpp"

namespace p2l {

// What a Patch2Loc heatmap scores: the location error, the predicted variance, or their sum.
enum class ScoreComponent { kError, kVariance, kBoth };
inline const NamedEnum<ScoreComponent>& score_components() {
  static const NamedEnum<ScoreComponent> e{
      {ScoreComponent::kError, "error"}, {ScoreComponent::kVariance, "variance"}, {ScoreComponent::kBoth, "both"}};
  return e;
}

// How two normalised maps are fused; kNone is a source alone (not a configurable mode).
enum class FusionMode { kNone, kProduct, kWeighted, kMax, kFisher };
inline const NamedEnum<FusionMode>& fusion_modes() {
  static const NamedEnum<FusionMode> e{{FusionMode::kNone, "none"},
                                       {FusionMode::kProduct, "product"},
                                       {FusionMode::kWeighted, "weighted"},
                                       {FusionMode::kMax, "max"},
                                       {FusionMode::kFisher, "fisher"}};
  return e;
}
// The modes a fusion pair can use (every mode but kNone).
inline std::vector<FusionMode> pair_fusion_modes() {
  return {FusionMode::kProduct, FusionMode::kWeighted, FusionMode::kMax, FusionMode::kFisher};
}

// How a binary threshold is chosen (SPEC section 7).
enum class ThresholdRuleKind { kBestDicePerVolume, kValidationDice, kHealthyQuantile, kFpr };
inline const NamedEnum<ThresholdRuleKind>& threshold_rule_kinds() {
  static const NamedEnum<ThresholdRuleKind> e{{ThresholdRuleKind::kBestDicePerVolume, "best_dice_per_volume"},
                                              {ThresholdRuleKind::kValidationDice, "validation_dice"},
                                              {ThresholdRuleKind::kHealthyQuantile, "healthy_quantile"},
                                              {ThresholdRuleKind::kFpr, "fpr"}};
  return e;
}

// Where the validation selection chooses (eval.select): each lesion set on its own validation
// split, or one choice over the validation splits of all sets.
enum class SelectScope { kPerSet, kPooled };
inline const NamedEnum<SelectScope>& select_scopes() {
  static const NamedEnum<SelectScope> e{{SelectScope::kPerSet, "per_set"}, {SelectScope::kPooled, "pooled"}};
  return e;
}

// The map sources p2l-evaluate computes itself: the Patch2Loc heatmap, the voxel-wise intensity
// z-score and the slice autoencoder's residual. Map source names stay text, since any other name
// is an external folder (eval.external_maps).
enum class BuiltInSource { kPatch2Loc, kZScore, kAutoencoder };
inline const NamedEnum<BuiltInSource>& built_in_sources() {
  static const NamedEnum<BuiltInSource> e{
      {BuiltInSource::kPatch2Loc, "patch2loc"}, {BuiltInSource::kZScore, "zscore"}, {BuiltInSource::kAutoencoder, "ae"}};
  return e;
}
// A built-in source's name in map source lists.
inline std::string source_name(BuiltInSource s) { return built_in_sources().id(s); }
// The built-in source `name` denotes; nullopt for an external folder's name.
inline std::optional<BuiltInSource> built_in_source(const std::string& name) { return built_in_sources().find(name); }

// How the Patch2Loc maps of several patch sizes (eval.scales) become one map, each scale's map
// first standardised on the healthy reference (docs/EVALUATION.md "Multi-scale"): the mean of the
// scales' z-scores against each scale's global healthy mean and deviation, or against each
// voxel's; the maximum of the global z-scores; the sum of the healthy surprises (Fisher).
enum class MultiScaleRule { kMeanZ, kMeanVoxelZ, kMaxZ, kFisher };
inline const NamedEnum<MultiScaleRule>& multiscale_rules() {
  static const NamedEnum<MultiScaleRule> e{{MultiScaleRule::kMeanZ, "mean_z"},
                                           {MultiScaleRule::kMeanVoxelZ, "mean_voxel_z"},
                                           {MultiScaleRule::kMaxZ, "max_z"},
                                           {MultiScaleRule::kFisher, "fisher"}};
  return e;
}
// The map sources of a multi-scale evaluation, named in eval.sources and fusion pairs like any
// other: one per scale beside eval.checkpoint's ("patch2loc@<patch fraction>", its map alone) and
// one per rule ("multiscale_<rule>").
inline constexpr const char* kScaleSourcePrefix = "patch2loc@";
inline constexpr const char* kMultiScaleSourcePrefix = "multiscale_";
inline std::string multiscale_source_name(MultiScaleRule r) { return kMultiScaleSourcePrefix + std::string(multiscale_rules().id(r)); }
// Whether `name` is a source that a multi-scale evaluation computes (into the run's maps/).
inline bool is_scale_source(const std::string& name) {
  return name.rfind(kScaleSourcePrefix, 0) == 0 || name.rfind(kMultiScaleSourcePrefix, 0) == 0;
}

// The per-set metrics of results_summary.csv (its `metric` column), which the sweep table and
// the nightly comparison read back (sweep/TableMetrics.hpp says which way each is better).
enum class SummaryMetric {
  kDice, kAuprc, kAuroc, kPrecision, kRecall, kSpecificity, kFpr, kHd95, kHdMax, kGtMl, kPredMl, kThreshold
};
inline const NamedEnum<SummaryMetric>& summary_metrics() {
  static const NamedEnum<SummaryMetric> e{
      {SummaryMetric::kDice, "dice"},     {SummaryMetric::kAuprc, "auprc"},
      {SummaryMetric::kAuroc, "auroc"},   {SummaryMetric::kPrecision, "precision"},
      {SummaryMetric::kRecall, "recall"}, {SummaryMetric::kSpecificity, "specificity"},
      {SummaryMetric::kFpr, "fpr"},       {SummaryMetric::kHd95, "hd95"},
      {SummaryMetric::kHdMax, "hd_max"},  {SummaryMetric::kGtMl, "gt_ml"},
      {SummaryMetric::kPredMl, "pred_ml"}, {SummaryMetric::kThreshold, "threshold"}};
  return e;
}

}  // namespace p2l
