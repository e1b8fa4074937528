#pragma once
// The figures of an evaluation run (report/figures/), see docs/EVALUATION.md. Every figure is
// written as <name>.png and <name>.pdf (report/Plots); the functions return the PNG file names
// (relative to `dir`), which report.md embeds.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "report/Plots.hpp"
#include "scoring/MethodScoring.hpp"

namespace p2l {

// Heatmap overlays: for the first test volume of every set and the first healthy test volume,
// `slices` slices (diseased: largest lesion area; healthy: spread over the brain).
std::vector<std::string> write_overlay_figures(const std::string& dir, const EvalInputs& in,
                                               const Method& method, int slices, double vmax);

// The same overlay for every test volume (each set's and the healthy test volumes), as
// dir/<id>.png (+ .pdf): volume id -> PNG file name relative to `dir`.
std::map<std::string, std::string> write_volume_overlays(const std::string& dir, const EvalInputs& in,
                                                         const Method& method, int slices, double vmax);

// KDE of the raw error against variance components at the scored grid points inside the brain
// of every diseased test volume, normal vs abnormal (lesion) points, with Spearman's rho.
std::string write_kde_figure(const std::string& dir, const EvalInputs& in, int stride);

// Predicted locations of the patch centred at (h, w) of the middle slice k, one ellipse per
// subject (the job runs the network), drawn on the slice of the subject `shown_id`.
struct EllipseFigureData {
  SliceGeometry geometry;
  std::vector<float> slice;  // [H][W] of the shown subject's slice k
  long k = 0, h = 0, w = 0;
  std::string shown_id;
  std::vector<LocationEllipse> ellipses;
};
// location_ellipses.png (+ .pdf); "" when there are no ellipses.
std::string write_ellipse_figure(const std::string& dir, const EllipseFigureData& data);

// Training curves, one figure per (label, path to train_log.jsonl), e.g. {"Patch2Loc",
// run/train_log.jsonl}, {"AE", run/ae/train_log.jsonl}: training_curves_<label>.png. Missing
// files, and logs without a step, are skipped.
std::vector<std::string> write_training_curves(const std::string& dir,
                                               const std::vector<std::pair<std::string, std::string>>& logs);

// Box plots of the per-volume Dice (box_dice.png; the threshold rule of the table's first row)
// and AUPRC (box_auprc.png; threshold-free), per set of `sets` and per method.
std::vector<std::string> write_box_plots(const std::string& dir, const MethodResults& res,
                                         const std::vector<std::string>& sets);

// The per-volume metrics box plots show.
enum class BoxMetric { kDice, kAuprc };

// The per-volume values of `metric` grouped per set (in `sets` order) and per method (in table
// order; methods without a value in any set are left out). `rule`: only rows of that threshold
// rule; empty: each method's first rule in the table (every volume once).
BoxPlotData box_plot_data(const MethodResults& res, const std::vector<std::string>& sets, BoxMetric metric,
                          const std::string& rule);

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
