#include "config/EvalConfig.hpp"

#include "config/EvalChoices.hpp"
#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, EvalConfig& c) {
  s.add("eval.checkpoint", &c.checkpoint, "checkpoint to evaluate: best, last, or a file path");
  s.add("eval.stride", &c.stride, "sliding-window stride in pixels (scores upsampled bilinearly when > 1)", 1, 64);
  s.add("eval.score", &c.score, "score components", score_components());
  s.add("eval.median_size", &c.median_size, "size of the 3-D median filter (1: off)", 1, 31);
  s.add("eval.erode_mask", &c.erode_mask, "voxels to erode the brain mask by before masking the heatmap", 0, 20);
  s.add("eval.batch_size", &c.batch_size, "patches per inference batch", 1, 1000000);
  s.add("eval.fold_batchnorm", &c.fold_batchnorm, "infer with BatchNorm folded into the layers before it and only the convolution taps that touch data (the same heatmaps up to float rounding; false runs the training graph in eval mode)");
  s.add("eval.precision", &c.precision, "inference arithmetic: auto is fp16 on GPU and fp32 on CPU", precisions());
  s.add("eval.thresholds", &c.thresholds, "threshold rules", threshold_rule_kinds());
  s.add("eval.healthy_quantile", &c.healthy_quantile, "percentile of healthy in-brain heatmap values used as threshold", 0.0, 100.0);
  s.add("eval.fpr_targets", &c.fpr_targets, "healthy-voxel false-positive rates for FPR-matched thresholds", 0.0, 1.0);
  s.add("eval.sources", &c.sources, "map sources evaluated on their own, one table row each per threshold rule: patch2loc, zscore (voxel-wise intensity z-score), ae (slice autoencoder residual; train it with p2l-train-ae) or a name from eval.external_maps");
  s.add("eval.external_maps", &c.external_maps, "external map sources as name=DIR: DIR/<id>.nii.gz on each preprocessed subject's grid (e.g. a diffusion model's residuals)");
  s.add("eval.fusion_pairs", &c.fusion_pairs, "pairs of map sources fused with every eval.fusion_modes, as a*b (e.g. patch2loc*zscore)");
  s.add("eval.fusion_modes", &c.fusion_modes, "fusion rules for eval.fusion_pairs", fusion_modes(), pair_fusion_modes());
  s.add("eval.fusion_weight", &c.fusion_weight, "w of the weighted fusion", 0.0, 1.0);
  s.add("eval.methods", &c.methods, "YAML method grid: sources, fusions and rules to cross (empty: the methods of this config)");
  s.alias("eval.sweep", "eval.methods");
  s.add("eval.select", &c.select, "validation-selected settings: per_set (each lesion set's best on its own validation split) and/or pooled (one setting and threshold for the validation splits of all sets); empty: none", select_scopes());
  s.add("eval.select_sources", &c.select_sources, "selection search space: map sources on their own (empty: eval.sources)");
  s.add("eval.select_fusion_pairs", &c.select_fusion_pairs, "selection search space: fusion pairs a*b (empty: eval.fusion_pairs)");
  s.add("eval.select_scores", &c.select_scores, "selection search space: Patch2Loc score components", score_components());
  s.add("eval.select_median_sizes", &c.select_median_sizes, "selection search space: Patch2Loc median filter sizes (odd)", 1, 31, 1);
  s.add("eval.select_fusion_modes", &c.select_fusion_modes, "selection search space: fusion rules", fusion_modes(), pair_fusion_modes());
  s.add("eval.select_weights", &c.select_weights, "selection search space: weights w of the weighted fusion", 0.0, 1.0, 1);
  s.add("eval.figure_slices", &c.figure_slices, "slices per volume in overlay figures", 0, 20);
  s.add("eval.figure_vmax", &c.figure_vmax, "upper end of the heatmap colour scale", 0.0, 1000.0);
  s.add("eval.healthy_reference_split", &c.healthy_reference_split,
        "healthy held-out split giving healthy-quantile/FPR thresholds and fusion statistics (empty: data.val_split)");
  s.add("eval.scales", &c.scales,
        "multi-scale Patch2Loc: checkpoints of other patch sizes evaluated beside eval.checkpoint and fused with it, each a .pt file, a run folder (its checkpoints/best.pt) or a p2l-sweep folder (every point's best.pt but eval.checkpoint's); one per patch size; empty: one scale");
  s.add("eval.scale_median_sizes", &c.scale_median_sizes,
        "median filter size of each eval.scales entry, in order (empty: each follows its patch size, the odd size nearest eval.median_size x its patch fraction / eval.checkpoint's)", 1, 31, 0);
  s.add("eval.scale_strides", &c.scale_strides,
        "sliding-window stride of each eval.scales entry, in order (empty: each follows its patch size, eval.stride x its patch fraction / eval.checkpoint's, rounded, at least 1)", 1, 64, 0);
  s.add("eval.multiscale_rules", &c.multiscale_rules,
        "how the scales' maps become one, each a map source multiscale_<rule>: mean_z (mean of the global healthy z-scores), mean_voxel_z (mean of the voxel-wise healthy z-scores), max_z (their maximum), fisher (sum of the healthy surprises)", multiscale_rules());
  s.add("eval.multiscale_voxel_std_floor", &c.multiscale_voxel_std_floor,
        "mean_voxel_z: a voxel's healthy standard deviation is at least this fraction of the scale's global one (few reference volumes give noisy voxel deviations)", 0.0, 100.0);
}

}  // namespace p2l
