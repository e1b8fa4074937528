#pragma once
// The evaluation's closed vocabularies (SPEC sections 6 to 8) and their stable ids: the one
// owner of the values that eval.* keys, method-grid files, result CSVs and p2l-sweep accept.
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
// The modes a fusion pair can use (every id but "none").
inline std::vector<std::string> fusion_mode_choices() {
  auto ids = fusion_modes().ids();
  ids.erase(ids.begin());
  return ids;
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

}  // namespace p2l
