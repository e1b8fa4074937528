#pragma once
// Figures drawn on one slice of a volume: anomaly-heatmap overlays (paper Figs. 4-5) and
// predicted-location ellipses (Fig. 2).
//
// Slices are [H][W] row-major (H = NIfTI axis i, W = axis j) and are shown with i to the right
// and j upwards, axes in mm from the slice's first voxel corner.
#include <cstdint>
#include <string>
#include <vector>

#include "report/FigureFiles.hpp"

namespace p2l {

struct SliceGeometry {
  int H = 0, W = 0;                       // voxels along i (shown horizontally) and j (vertically)
  double spacing_i = 1, spacing_j = 1;    // mm
};

// One row of an overlay figure: image | heatmap | image with the ground-truth outline.
struct OverlayRow {
  std::string label;            // e.g. "slice k = 40"
  std::vector<float> image;     // H*W, gray on [0, 1]
  std::vector<float> heat;      // H*W anomaly scores
  std::vector<uint8_t> mask;    // H*W brain mask: heat is drawn inside, black outside; empty: everywhere
  std::vector<uint8_t> seg;     // H*W ground truth, outlined in red; empty: none (healthy)
};

// One row per OverlayRow; the heatmap in jet on [0, vmax] (clamped) with a colour bar.
FigureFiles plot_overlays(const std::string& base, const SliceGeometry& g, const std::vector<OverlayRow>& rows,
                          double vmax, const std::string& title);

struct LocationEllipse {
  double h = 0, w = 0;              // predicted centre (slice voxels, continuous index)
  double sigma_h = 0, sigma_w = 0;  // standard deviations (voxels)
};

// The slice in gray, one axis-aligned one-sigma ellipse per prediction, the predicted centres and
// the true location (voxel index), with a legend.
FigureFiles plot_location_ellipses(const std::string& base, const SliceGeometry& g, const std::vector<float>& image,
                                   double true_h, double true_w, const std::vector<LocationEllipse>& ellipses,
                                   const std::string& title);

}  // namespace p2l
