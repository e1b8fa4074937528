#pragma once
// The checkpoints of a multi-scale evaluation (eval.scales, docs/EVALUATION.md "Multi-scale"):
// eval.checkpoint, the reference scale, and one checkpoint per other patch size. Each scale makes
// its own heatmaps with its own patch geometry (its checkpoint's facts), stride and median filter,
// in a run folder of its own under the evaluation's (ROOT/scales/<source>/, the same names as a
// single-scale run), and is a map source: its map alone, and the multi-scale rules over all.
#include <string>
#include <vector>

#include "config/EvalConfig.hpp"

namespace p2l {

struct ScaleSettings {
  std::string source;      // "patch2loc" for eval.checkpoint, else "patch2loc@<patch fraction>"
  std::string checkpoint;  // the .pt file
  double patch_fraction = 0;
  int stride = 1, median_size = 1;
};

// "patch2loc@0.0625": the map source of the scale with this patch fraction (%g).
std::string scale_source_name(double patch_fraction);

// eval.scales as checkpoint files, in order: a file as it is, a run folder's checkpoints/best.pt,
// a p2l-sweep folder's points (points.tsv) each by its best.pt; `primary` (eval.checkpoint's
// file) is left out wherever it appears. Throws naming the entry when it is none of these or a
// point has no best.pt.
std::vector<std::string> scale_checkpoints(const std::vector<std::string>& entries, const std::string& primary);

// The settings of scale i of eval.scales (0-based) with `patch_fraction`, against the reference
// scale's: eval.scale_strides[i] and eval.scale_median_sizes[i] when given, else each following
// the patch size (scoring/ScaleFusion.hpp's follow_patch_size). Throws when those lists have
// another length than the scales, or a median size is even.
ScaleSettings scale_settings(const EvalConfig& eval, size_t i, size_t n_scales, const std::string& checkpoint,
                             double patch_fraction, double reference_patch_fraction);

// Throws when two scales share a patch fraction (each scale is one patch size), naming both files.
void check_distinct_scales(const std::vector<ScaleSettings>& scales);

// Makes the scales methods like any other: each other scale's source and each multi-scale rule's
// (eval.multiscale_rules) join eval.sources, and every fusion pair of patch2loc with a source X
// gains multiscale_<rule>*X (the validation selection searches these lists when its own are
// empty). Entries already there are kept once. Then throws when any list names a multi-scale
// source that this evaluation does not compute.
void add_scale_sources(EvalConfig& eval, const std::vector<ScaleSettings>& scales);

}  // namespace p2l
