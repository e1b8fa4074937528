#pragma once
// The figures of an evaluation run (report/figures/*.png), see docs/EVALUATION.md.
#include <string>
#include <vector>

#include "eval/HeatmapBuilder.hpp"
#include "eval/SweepRunner.hpp"

namespace p2l {

// Heatmap overlays: for the first test volume of every set and the first healthy test volume,
// `slices` slices (diseased: largest lesion area; healthy: spread over the brain). Returns the
// written file names (relative to `dir`).
std::vector<std::string> write_overlay_figures(const std::string& dir, const EvalInputs& in,
                                               const MapSetting& setting, int slices, double vmax);

// KDE of the raw error against variance components at the scored grid points inside the brain
// of every diseased test volume, normal vs abnormal (lesion) points, with Spearman's rho.
std::string write_kde_figure(const std::string& dir, const EvalInputs& in, int stride);

// Predicted-location ellipses of the patch centred in the middle of the middle slice, across
// `subjects` (one ellipse each), drawn on the first subject's slice.
std::string write_ellipse_figure(const std::string& dir, HeatmapBuilder& builder,
                                 const std::vector<SubjectSlices>& subjects);

// The [H][W] row-major slice k of a NIfTI-ordered volume (H = axis i, W = axis j).
template <class T>
std::vector<T> slice_hw(const Volume<T>& v, size_t k) {
  const size_t H = v.geom.size[0], W = v.geom.size[1];
  std::vector<T> out(H * W);
  for (size_t h = 0; h < H; ++h)
    for (size_t w = 0; w < W; ++w) out[h * W + w] = v.at(h, w, k);
  return out;
}

}  // namespace p2l
