#pragma once
// The outputs users open in viewers and scripts, on the grid of each input scan (same shape and
// affine as the image the subject came from): heatmaps/<split>/<id>.nii.gz (the configured
// heatmap), <id>_error.nii.gz and <id>_variance.nii.gz (its score components), and
// <id>_seg_<rule>.nii.gz (the predicted lesion mask of every threshold rule with a threshold;
// <rule> = label_file_part of the rule's label).
// Maps are resampled linearly through world coordinates, which undoes the crop, the pad and the
// in-plane downsampling; subjects from a store without the input grid stay on the preprocessed
// grid. The preprocessed-grid maps scoring reads stay in heatmaps/<split>/raw/.
#include <string>

#include "eval/HeatmapCache.hpp"
#include "scoring/MethodScoring.hpp"

namespace p2l {

// `v` on `source` (linear), or `v` itself when `source` is empty (a store without the input grid).
FloatVolume on_input_grid(const FloatVolume& v, const Geometry& source);

// Writes the heatmap and its components of one subject on its input grid.
void write_input_grid_heatmaps(const HeatmapCache& cache, const std::string& split, const std::string& id,
                               const FloatVolume& heatmap, const ScoreMaps& raw, const Geometry& source);

// For every test volume of `res` under the method labelled `method` (sets of `in` and its
// healthy test split), the input-grid heatmap above the volume's threshold inside the brain, as
// <id>_seg_<rule>.nii.gz beside the heatmap. Returns the number of files written.
int write_segmentations(const HeatmapCache& cache, const MethodResults& res, const std::string& method,
                        const EvalInputs& in);

}  // namespace p2l
