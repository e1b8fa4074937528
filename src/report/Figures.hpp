#pragma once
// The paper's figures as PNG images: heatmap overlays (Figs. 4-5), KDEs of log-error against
// log-variance (Fig. 3) and predicted-location ellipses (Fig. 2). Slices are [H][W] row-major
// (H = NIfTI axis i, W = axis j) and are shown with i to the right and j upwards.
#include <string>
#include <vector>

#include "report/PngImage.hpp"

namespace p2l {

// One row of three panels, each upscaled by `scale`: the slice in gray (0..1), the heatmap in
// jet on 0..vmax (black outside the brain), the slice with the ground-truth outline in red
// (`seg` may be null: healthy). `title` is drawn above.
RgbImage overlay_row(const float* slice, const float* heat, const uint8_t* mask, const uint8_t* seg,
                     int H, int W, double vmax, int scale, const std::string& title);

// Stacks images top to bottom on black, `gap` pixels apart.
RgbImage stack_rows(const std::vector<RgbImage>& rows, int gap);

struct ScatterGroup {
  std::string name;
  std::vector<double> x, y;
  double spearman = 0;  // printed on the panel
};

// One panel per group: a 2-D Gaussian KDE (Scott's bandwidth, at least one pixel) on a shared axis range (1st to
// 99th percentile of the pooled values), jet-coloured, titled "<name> rho=<spearman>" and the
// axis names. Groups with fewer than 2 points show an empty panel.
RgbImage kde_figure(const std::vector<ScatterGroup>& groups, const std::string& x_name,
                    const std::string& y_name, int panel = 200);

struct LocationEllipse {
  double h = 0, w = 0;          // predicted centre (slice pixels)
  double sigma_h = 0, sigma_w = 0;  // standard deviations (slice pixels)
};

// The slice in gray with the true location marked by a green cross and one yellow ellipse
// (one standard deviation, axis-aligned) per prediction, centre dots in red.
RgbImage ellipse_figure(const float* slice, int H, int W, double true_h, double true_w,
                        const std::vector<LocationEllipse>& ellipses, int scale,
                        const std::string& title);

}  // namespace p2l
