#pragma once
#include <string>
#include <vector>

#include "config/EvalChoices.hpp"
#include "config/RuntimeChoices.hpp"

namespace p2l {
class Schema;

// Heatmaps, thresholds, metrics, fusion and sweeps (SPEC sections 6 to 8).
struct EvalConfig {
  std::string checkpoint = "best";
  int stride = 1;
  ScoreComponent score = ScoreComponent::kBoth;
  int median_size = 7;
  int erode_mask = 0;
  int batch_size = 4096;
  Precision precision = Precision::kAuto;  // resolved per device (eval/HeatmapBuilder.hpp)
  bool fold_batchnorm = true;
  std::vector<ThresholdRuleKind> thresholds = {ThresholdRuleKind::kBestDicePerVolume, ThresholdRuleKind::kValidationDice,
                                               ThresholdRuleKind::kHealthyQuantile, ThresholdRuleKind::kFpr};
  double healthy_quantile = 98.0;
  std::vector<double> fpr_targets = {0.01, 0.05, 0.10};
  std::vector<std::string> sources = {"patch2loc"};   // methods with rows of their own
  std::vector<std::string> external_maps = {};        // "name=DIR": maps DIR/<id>.nii.gz
  std::vector<std::string> fusion_pairs = {};         // "a*b": fuse source a with source b
  std::vector<FusionMode> fusion_modes = {FusionMode::kProduct};
  double fusion_weight = 0.5;
  std::string methods = "";  // a method-grid file (eval.methods, alias eval.sweep)
  // Validation-selected settings (docs/EVALUATION.md): scopes, and the search space; an empty
  // source or pair list searches eval.sources / eval.fusion_pairs.
  std::vector<SelectScope> select = {SelectScope::kPerSet, SelectScope::kPooled};
  std::vector<std::string> select_sources = {};
  std::vector<std::string> select_fusion_pairs = {};
  std::vector<ScoreComponent> select_scores = {ScoreComponent::kBoth, ScoreComponent::kError, ScoreComponent::kVariance};
  std::vector<int> select_median_sizes = {3, 5, 7};
  std::vector<FusionMode> select_fusion_modes = {FusionMode::kProduct, FusionMode::kWeighted, FusionMode::kMax,
                                                 FusionMode::kFisher};
  std::vector<double> select_weights = {0.25, 0.5, 0.75};
  int figure_slices = 3;
  double figure_vmax = 12.0;
  std::string healthy_reference_split = "";  // empty: data.val_split
  // Multi-scale Patch2Loc (docs/EVALUATION.md "Multi-scale"): checkpoints of other patch sizes,
  // each entry a .pt file, a run folder or a sweep folder; per entry, a median size and stride
  // (empty: each follows the scale's patch size); the rules that fuse the scales.
  std::vector<std::string> scales = {};
  std::vector<int> scale_median_sizes = {};
  std::vector<int> scale_strides = {};
  std::vector<MultiScaleRule> multiscale_rules = {MultiScaleRule::kMeanZ, MultiScaleRule::kMeanVoxelZ,
                                                  MultiScaleRule::kMaxZ, MultiScaleRule::kFisher};
  double multiscale_voxel_std_floor = 0.5;  // a voxel's healthy deviation, at least this x the scale's global one
};

void bind(Schema& s, EvalConfig& c);

}  // namespace p2l
