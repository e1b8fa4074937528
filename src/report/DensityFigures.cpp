#include "report/DensityFigures.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "io/Statistics.hpp"
#include "report/KernelDensity.hpp"
#include "report/PlotCanvas.hpp"

namespace p2l {

using namespace canvas;

FigureFiles plot_kde(const std::string& base, const std::vector<ScatterGroup>& groups, const std::string& x_label,
                     const std::string& y_label, const std::string& title) {
  std::vector<double> px, py;
  std::vector<std::pair<std::vector<double>, std::vector<double>>> pts;  // finite pairs per group
  for (const auto& gr : groups) {
    std::vector<double> x, y;
    for (size_t i = 0; i < std::min(gr.x.size(), gr.y.size()); ++i)
      if (std::isfinite(gr.x[i]) && std::isfinite(gr.y[i])) x.push_back(gr.x[i]), y.push_back(gr.y[i]);
    px.insert(px.end(), x.begin(), x.end()), py.insert(py.end(), y.begin(), y.end());
    pts.emplace_back(std::move(x), std::move(y));
  }
  std::sort(px.begin(), px.end()), std::sort(py.begin(), py.end());
  auto span = [](const std::vector<double>& s) {
    double lo = percentile_blend(s, 0.5), hi = percentile_blend(s, 99.5);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
    const double d = 0.08 * (hi - lo);
    return std::make_pair(lo - d, hi + d);
  };
  const auto [x0, x1] = span(px);
  const auto [y0, y1] = span(py);
  const int N = 120, N1 = 240;
  const std::vector<double> masses = {0.95, 0.75, 0.5, 0.25};

  struct Est {
    bool ok = false;
    std::vector<double> f, fx, fy;
  };
  std::vector<Est> est(groups.size());
  double fx_max = 0, fy_max = 0;
  for (size_t k = 0; k < groups.size(); ++k) {
    const auto& [x, y] = pts[k];
    if (x.size() < 2) continue;
    const double nn = double(x.size());
    // Scott's rule; at least a grid cell so that a tight cluster still spans grid points.
    const double bx = std::max(sample_std(x) * std::pow(nn, -1.0 / 6.0), 1.5 * (x1 - x0) / (N - 1));
    const double by = std::max(sample_std(y) * std::pow(nn, -1.0 / 6.0), 1.5 * (y1 - y0) / (N - 1));
    const double bx1 = std::max(sample_std(x) * std::pow(nn, -0.2), 1.5 * (x1 - x0) / (N1 - 1));
    const double by1 = std::max(sample_std(y) * std::pow(nn, -0.2), 1.5 * (y1 - y0) / (N1 - 1));
    est[k] = {true, kde_2d(x, y, x0, x1, y0, y1, N, bx, by), kde_1d(x, x0, x1, N1, bx1), kde_1d(y, y0, y1, N1, by1)};
    fx_max = std::max(fx_max, *std::max_element(est[k].fx.begin(), est[k].fx.end()));
    fy_max = std::max(fy_max, *std::max_element(est[k].fy.begin(), est[k].fy.end()));
  }
  if (fx_max <= 0) fx_max = 1;
  if (fy_max <= 0) fy_max = 1;

  const double L = 120, S = 620, gap = 12, M = 150, top = 70, R = 40;
  const double main_t = top + M + gap, main_b = main_t + S, main_r = L + S;
  const int width = int(L + S + gap + M + R), height = int(main_b + 90 + 50 + 30 * ((groups.size() + 1) / 2));
  return render(base, width, height, [&](const Page& p) {
    plstream& pls = p.pls;
    p.title(title);
    std::vector<double> gx(N1), gy(N1);
    for (int i = 0; i < N1; ++i)
      gx[size_t(i)] = x0 + (x1 - x0) * i / (N1 - 1), gy[size_t(i)] = y0 + (y1 - y0) * i / (N1 - 1);
    // Joint density: the bands between each group's contours tinted in its colour, more opaque
    // inside, the groups blended where they overlap (one raster: no seams), then the contours.
    p.vp(L, main_t, main_r, main_b);
    pls.wind(x0, x1, y0, y1);
    axes(pls, "g", "g", kGrid);  // faint grid first
    std::vector<std::vector<double>> levels(groups.size());
    for (size_t k = 0; k < groups.size(); ++k)
      if (est[k].ok) levels[k] = mass_levels(est[k].f, masses);  // 95 % .. 25 %: ascending density
    const int side = 480;  // raster cells per axis
    std::vector<double> raster(size_t(side) * side, -1.0);
    std::map<std::vector<int>, int> combos;  // band of every group -> palette entry
    std::vector<Rgb3> colours;
    std::vector<int> band(groups.size());
    for (int i = 0; i < side; ++i)
      for (int j = 0; j < side; ++j) {
        // Bilinear interpolation of the N x N grid at the raster cell's centre.
        const double gi = (i + 0.5) / side * (N - 1), gj = (j + 0.5) / side * (N - 1);
        const int i0 = std::min(int(gi), N - 2), j0 = std::min(int(gj), N - 2);
        const double fi = gi - i0, fj = gj - j0;
        bool any = false;
        for (size_t k = 0; k < groups.size(); ++k) {
          band[k] = 0;
          if (!est[k].ok) continue;
          const auto& f = est[k].f;
          const double v = (1 - fi) * ((1 - fj) * f[size_t(i0) * N + j0] + fj * f[size_t(i0) * N + j0 + 1]) +
                           fi * ((1 - fj) * f[size_t(i0 + 1) * N + j0] + fj * f[size_t(i0 + 1) * N + j0 + 1]);
          for (double lv : levels[k]) band[k] += lv > 0 && v >= lv;
          any = any || band[k] > 0;
        }
        if (!any) continue;
        auto [it, fresh] = combos.emplace(band, int(colours.size()));
        if (fresh) {
          double r = 255, g = 255, b = 255;
          for (size_t k = 0; k < groups.size(); ++k) {
            if (!band[k]) continue;
            const double a = 0.10 + 0.13 * band[k];
            const Rgb3 c = series_rgb(int(k));
            r = r * (1 - a) + c.r * a, g = g * (1 - a) + c.g * a, b = b * (1 - a) + c.b * a;
          }
          colours.push_back({int(std::lround(r)), int(std::lround(g)), int(std::lround(b))});
        }
        raster[size_t(i) * side + j] = it->second;
      }
    if (!colours.empty()) {
      std::vector<PLINT> r, g, b;
      for (const auto& c : colours) r.push_back(c.r), g.push_back(c.g), b.push_back(c.b);
      if (colours.size() == 1) r.push_back(r[0]), g.push_back(g[0]), b.push_back(b[0]);
      pls.scmap1(r.data(), g.data(), b.data(), PLINT(r.size()));
      const double n = double(r.size());
      for (double& v : raster)
        if (v >= 0) v = (v + 0.5) / n;  // plcol1 picks entry floor(v * n)
      image(pls, raster, side, side, x0, x1, y0, y1, 0, 1, 0.0);
    }
    std::vector<double> cx(static_cast<size_t>(N)), cy(static_cast<size_t>(N));
    for (int i = 0; i < N; ++i)
      cx[size_t(i)] = x0 + (x1 - x0) * i / (N - 1), cy[size_t(i)] = y0 + (y1 - y0) * i / (N - 1);
    PLcGrid cg;
    cg.xg = cx.data(), cg.yg = cy.data(), cg.zg = nullptr, cg.nx = N, cg.ny = N, cg.nz = 0;
    for (size_t k = 0; k < groups.size(); ++k) {
      std::vector<double> lv;
      for (double v : levels[k])
        if (v > 0 && (lv.empty() || v > lv.back())) lv.push_back(v);
      if (lv.empty()) continue;
      std::vector<const PLFLT*> rows(static_cast<size_t>(N));
      for (int i = 0; i < N; ++i) rows[size_t(i)] = est[k].f.data() + size_t(i) * N;
      pls.col0(series(int(k)));
      pls.width(1.6);
      pls.cont(rows.data(), N, N, 1, N, 1, N, lv.data(), PLINT(lv.size()), plcallback::tr1, &cg);
    }
    axes(pls, "bcnst", "bcnstv");
    axis_labels(pls, x_label, y_label, 3.8);
    // Marginals: x on top, y on the right.
    // Group k's 1-D density f over the positions `grid` (lo .. hi) as a tinted area and a line;
    // along_y: the positions run along y (the right margin).
    auto marginal = [&](size_t k, const std::vector<double>& grid, const std::vector<double>& f, bool along_y,
                        double lo, double hi) {
      std::vector<double> at(grid), density(f);
      at.insert(at.begin(), lo), density.insert(density.begin(), 0), at.push_back(hi), density.push_back(0);
      const Rgb3 c = series_rgb(int(k));
      pls.scol0a(kFill, c.r, c.g, c.b, 0.25);
      pls.col0(kFill);
      if (along_y) pls.fill(PLINT(at.size()), density.data(), at.data());
      else pls.fill(PLINT(at.size()), at.data(), density.data());
      pls.col0(series(int(k)));
      pls.width(2.0);
      if (along_y) pls.line(N1, f.data(), grid.data());
      else pls.line(N1, grid.data(), f.data());
    };
    p.vp(L, top, main_r, top + M);
    pls.wind(x0, x1, 0, fx_max * 1.08);
    for (size_t k = 0; k < groups.size(); ++k)
      if (est[k].ok) marginal(k, gx, est[k].fx, false, x0, x1);
    axes(pls, "bcst", "bc");
    text(pls, kSmallText);
    pls.mtex("l", 1.2, 0.5, 0.5, "density");
    p.vp(main_r + gap, main_t, main_r + gap + M, main_b);
    pls.wind(0, fy_max * 1.08, y0, y1);
    for (size_t k = 0; k < groups.size(); ++k)
      if (est[k].ok) marginal(k, gy, est[k].fy, true, y0, y1);
    axes(pls, "bc", "bcst");
    text(pls, kSmallText);
    pls.mtex("b", 1.2, 0.5, 0.5, "density");
    // Legend below: every group with its n and rho, and what the contours mean.
    Legend lg;
    for (size_t k = 0; k < groups.size(); ++k) {
      const auto& gr = groups[k];
      const size_t count = gr.count ? gr.count : gr.x.size();
      lg.add(Legend::kBox, series(int(k)),
             gr.name + " (n = " + std::to_string(count) + ", ρ = " +
                 (std::isfinite(gr.spearman) ? fmt("%.3f", gr.spearman) : std::string("n/a")) + ")" +
                 (est[k].ok ? "" : ", too few points"));
    }
    p.vp(L, main_b + 84, width - R, height - 6.0);
    pls.wind(0, 1, 0, 1);
    draw_legend(pls, lg, 2, false, 0.05);
    p.label(width / 2.0, height - 14.0,
            "Contours enclose 25, 50, 75 and 95 % of each group's density; ρ: Spearman's rank correlation.",
            kSmallText);
  });
}

}  // namespace p2l
