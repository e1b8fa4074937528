#include "report/SliceFigures.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "report/PlotCanvas.hpp"

namespace p2l {

using namespace canvas;

FigureFiles plot_overlays(const std::string& base, const SliceGeometry& g, const std::vector<OverlayRow>& rows,
                          double vmax, const std::string& title) {
  if (g.H <= 0 || g.W <= 0) throw std::runtime_error(base + ": empty slice geometry");
  const size_t n = size_t(g.H) * size_t(g.W);
  for (const auto& r : rows)
    if (r.image.size() != n || r.heat.size() != n || (!r.mask.empty() && r.mask.size() != n) ||
        (!r.seg.empty() && r.seg.size() != n))
      throw std::runtime_error(base + ": overlay row '" + r.label + "' does not match the slice size");
  if (!(vmax > 0)) vmax = 1;
  const double xw = g.H * g.spacing_i, yh = g.W * g.spacing_j;  // mm
  double pw = 320, ph = pw * yh / xw;
  if (ph > 480) ph = 480, pw = ph * xw / yh;
  if (ph < 160) ph = 160, pw = std::min(640.0, ph * xw / yh);
  const double L = 145, gap = 28, cb_gap = 14, cb_w = 20, cb_space = 92, R = 30, top = 96, row_h = ph + 86;
  const int width = int(std::lround(L + 3 * pw + 2 * gap + cb_gap + cb_w + cb_space + R));
  const int height = int(std::lround(top + std::max<size_t>(rows.size(), 1) * row_h + 4));
  const bool healthy = std::all_of(rows.begin(), rows.end(), [](const OverlayRow& r) { return r.seg.empty(); });

  return render(base, width, height, [&](const Page& p) {
    plstream& pls = p.pls;
    p.title(title);
    const double x1 = L + pw, x2 = x1 + gap, x3 = x2 + pw, cb0 = x3 + cb_gap, cb1 = cb0 + cb_w,
                 x4 = cb1 + cb_space, x5 = x4 + pw;
    p.label((L + x1) / 2, 78, "MR image", kLabelText);
    p.label((x2 + x3) / 2, 78, "anomaly score (jet, 0 to " + fmt("%g", vmax) + ")", kLabelText);
    p.label((x4 + x5) / 2, 78, healthy ? "no lesion (healthy)" : "ground-truth outline", kLabelText);
    std::vector<double> gray_v(n), heat_v(n);
    for (size_t ri = 0; ri < rows.size(); ++ri) {
      const OverlayRow& r = rows[ri];
      const double t = top + double(ri) * row_h, b = t + ph;
      for (size_t i = 0; i < n; ++i) {
        gray_v[i] = std::clamp(double(r.image[i]), 0.0, 1.0);
        const bool in = r.mask.empty() || r.mask[i];
        heat_v[i] = in ? std::clamp(std::isfinite(r.heat[i]) ? double(r.heat[i]) : 0.0, 0.0, vmax) : -1.0;
      }
      // Image.
      p.vp(L, t, x1, b);
      pls.wind(0, xw, 0, yh);
      cmap_gray(pls);
      image(pls, gray_v, g.H, g.W, 0, xw, 0, yh, 0, 1);
      axes(pls, "bcinst", "bcinstv");
      axis_labels(pls, "i (mm)", "j (mm)", 4.3, 3.2);
      text(pls, kLabelText);
      pls.mtex("l", 5.9, 0.5, 0.5, esc(r.label).c_str());
      // Heatmap on black (outside the brain).
      p.vp(x2, t, x3, b);
      pls.wind(0, xw, 0, yh);
      {
        const PLFLT bx[4] = {0, xw, xw, 0}, by[4] = {0, 0, yh, yh};
        pls.col0(kBlack);
        pls.fill(4, bx, by);
      }
      cmap_jet(pls);
      image(pls, heat_v, g.H, g.W, 0, xw, 0, yh, 0, vmax, 0.0);
      axes(pls, "bcinst", "bcist");
      axis_labels(pls, "i (mm)", "", 0, 3.2);
      colour_bar(p, cb0, t, cb1, b, 0, vmax, "anomaly score");
      // Image with the ground-truth outline: the voxel edges between lesion and non-lesion.
      p.vp(x4, t, x5, b);
      pls.wind(0, xw, 0, yh);
      cmap_gray(pls);
      image(pls, gray_v, g.H, g.W, 0, xw, 0, yh, 0, 1);
      if (!r.seg.empty()) {
        pls.col0(kRed);
        pls.width(2.0);
        auto lesion = [&](int h, int w) {
          return h >= 0 && w >= 0 && h < g.H && w < g.W && r.seg[size_t(h) * g.W + w];
        };
        const double si = g.spacing_i, sj = g.spacing_j;
        for (int h = 0; h < g.H; ++h)
          for (int w = 0; w < g.W; ++w) {
            if (!lesion(h, w)) continue;
            if (!lesion(h - 1, w)) pls.join(h * si, w * sj, h * si, (w + 1) * sj);
            if (!lesion(h + 1, w)) pls.join((h + 1) * si, w * sj, (h + 1) * si, (w + 1) * sj);
            if (!lesion(h, w - 1)) pls.join(h * si, w * sj, (h + 1) * si, w * sj);
            if (!lesion(h, w + 1)) pls.join(h * si, (w + 1) * sj, (h + 1) * si, (w + 1) * sj);
          }
      }
      axes(pls, "bcinst", "bcist");
      axis_labels(pls, "i (mm)", "", 0, 3.2);
    }
  });
}

FigureFiles plot_location_ellipses(const std::string& base, const SliceGeometry& g, const std::vector<float>& img,
                                   double true_h, double true_w, const std::vector<LocationEllipse>& ellipses,
                                   const std::string& title) {
  const size_t n = size_t(g.H) * size_t(g.W);
  if (g.H <= 0 || g.W <= 0 || img.size() != n) throw std::runtime_error(base + ": image does not match the slice size");
  const double xw = g.H * g.spacing_i, yh = g.W * g.spacing_j;
  double pw = 640, ph = pw * yh / xw;
  if (ph > 720) ph = 720, pw = ph * xw / yh;
  const double L = 120, top = 70, R = 40;
  const int width = int(std::lround(L + pw + R)), height = int(std::lround(top + ph + 80 + 90));
  // Voxel index v covers [v, v + 1) voxels: its centre is at (v + 0.5) * spacing.
  auto mx = [&](double h) { return (h + 0.5) * g.spacing_i; };
  auto my = [&](double w) { return (w + 0.5) * g.spacing_j; };
  return render(base, width, height, [&](const Page& p) {
    plstream& pls = p.pls;
    p.title(title);
    p.vp(L, top, L + pw, top + ph);
    pls.wind(0, xw, 0, yh);
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = std::clamp(double(img[i]), 0.0, 1.0);
    cmap_gray(pls);
    image(pls, v, g.H, g.W, 0, xw, 0, yh, 0, 1);
    pls.col0(kYellow);
    pls.width(1.6);
    std::vector<double> ex(181), ey(181), cx, cy;
    for (const auto& e : ellipses) {
      for (int a = 0; a <= 180; ++a) {
        const double t = 2 * M_PI * a / 180;
        ex[size_t(a)] = mx(e.h + e.sigma_h * std::cos(t)), ey[size_t(a)] = my(e.w + e.sigma_w * std::sin(t));
      }
      pls.line(181, ex.data(), ey.data());
      cx.push_back(mx(e.h)), cy.push_back(my(e.w));
    }
    text(pls, 2.6);
    pls.col0(kRed);
    if (!cx.empty()) pls.string(PLINT(cx.size()), cx.data(), cy.data(), "●");
    const PLFLT tx = mx(true_h), ty = my(true_w);
    text(pls, 9.0);
    pls.col0(kGreen);
    pls.string(1, &tx, &ty, "✚");
    axes(pls, "bcinst", "bcinstv");
    axis_labels(pls, "i (mm)", "j (mm)", 4.3, 3.2);
    Legend lg;
    lg.add(Legend::kLine, kYellow, "one-sigma ellipse of a prediction (" + std::to_string(ellipses.size()) + ")");
    lg.add(Legend::kSymbol, kRed, "predicted centre", "●");
    lg.add(Legend::kSymbol, kGreen, "true location", "✚", 1, 1.3);
    p.vp(L, top + ph + 66, L + pw, height - 4.0);
    pls.wind(0, 1, 0, 1);
    draw_legend(pls, lg, 1, false, 0.07, kSmallText);
  });
}

}  // namespace p2l
