#pragma once
// The report's figures, drawn with PLplot (Cairo drivers): heatmap overlays (paper Figs. 4-5),
// the error/variance KDE (Fig. 3), predicted-location ellipses (Fig. 2), training curves and
// per-set box plots of a metric per method. Inputs are plain data. Every function writes
// <base>.png (pngcairo) and <base>.pdf (pdfcairo, the same page in points), each atomically
// (temporary name, then rename), and throws naming the path when it cannot.
//
// Slices are [H][W] row-major (H = NIfTI axis i, W = axis j) and are shown with i to the right
// and j upwards, axes in mm from the slice's first voxel corner.
#include <cstdint>
#include <string>
#include <vector>

namespace p2l {

struct FigureFiles {
  std::string png, pdf;       // the paths written
  int width = 0, height = 0;  // PNG size in pixels (the PDF's in points)
};

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

struct ScatterGroup {
  std::string name;
  std::vector<double> x, y;  // the points the density is estimated from (may be a subsample)
  double spearman = 0;       // rho of the group (over all its points), shown in the legend
  size_t count = 0;          // points in the group before subsampling (0: x.size()), in the legend
};

// A 2-D Gaussian KDE per group (Scott's bandwidth) on a shared range (0.5th to 99.5th
// percentile of the pooled points, padded): filled contours enclosing 25/50/75/95 % of each
// group's density in the group's colour, 1-D KDEs of x on top and of y on the right, a legend
// with each group's n and rho. Groups with fewer than 2 points appear in the legend only.
FigureFiles plot_kde(const std::string& base, const std::vector<ScatterGroup>& groups, const std::string& x_label,
                     const std::string& y_label, const std::string& title);

struct LocationEllipse {
  double h = 0, w = 0;              // predicted centre (slice voxels, continuous index)
  double sigma_h = 0, sigma_w = 0;  // standard deviations (voxels)
};

// The slice in gray, one axis-aligned one-sigma ellipse per prediction, the predicted centres and
// the true location (voxel index), with a legend.
FigureFiles plot_location_ellipses(const std::string& base, const SliceGeometry& g, const std::vector<float>& image,
                                   double true_h, double true_w, const std::vector<LocationEllipse>& ellipses,
                                   const std::string& title);

// One training run's log (see read_training_log): per step and per validation, ascending step.
struct TrainingSeries {
  std::vector<double> step, loss, wall;  // wall: seconds, accumulated over resumed runs
  std::vector<double> val_step, val_loss, val_error, val_chance, val_wall;
  std::string error_key;  // the validation error's name ("location_error", "residual"); empty: none
};

// A 2 x 2 page: loss (training, its running mean, validation) and validation error (with the
// chance level) against step and against wall time. The loss axis is logarithmic when every
// loss is positive.
FigureFiles plot_training_curves(const std::string& base, const TrainingSeries& s, const std::string& title);

// Values of one metric: groups (sets) along x, one box per method in every group.
struct BoxPlotData {
  std::vector<std::string> groups;                   // e.g. the data sets
  std::vector<std::string> methods;                  // legend order
  std::vector<std::vector<std::vector<double>>> values;  // [group][method] -> values (NaN ignored)
};

// Tukey box plots: box from the 1st to the 3rd quartile, the median, whiskers to the most extreme
// values within 1.5 IQR of the box, the values beyond as circles (every value as a dot when a box
// has fewer than 10); a legend of the methods, n per group under its name.
FigureFiles plot_box_plots(const std::string& base, const BoxPlotData& d, const std::string& y_label,
                           const std::string& title);

struct BoxStats {
  size_t n = 0;  // finite values
  double q1 = 0, median = 0, q3 = 0, whisker_lo = 0, whisker_hi = 0;
  std::vector<double> outliers;
};
// Quartiles by linear interpolation between order statistics; NaNs ignored.
BoxStats box_stats(std::vector<double> v);

}  // namespace p2l
