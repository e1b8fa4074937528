#include "report/BoxPlotFigures.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "report/BoxStatistics.hpp"
#include "report/PlotCanvas.hpp"

namespace p2l {

using namespace canvas;

FigureFiles plot_box_plots(const std::string& base, const BoxPlotData& d, const std::string& y_label,
                           const std::string& title) {
  const size_t G = d.groups.size(), Mn = d.methods.size();
  if (d.values.size() != G) throw std::runtime_error(base + ": box plot values do not match the groups");
  for (const auto& gv : d.values)
    if (gv.size() != Mn) throw std::runtime_error(base + ": box plot values do not match the methods");
  std::vector<std::vector<BoxStats>> stats(G, std::vector<BoxStats>(Mn));
  std::vector<const std::vector<double>*> all;
  bool unit = true;
  for (size_t gi = 0; gi < G; ++gi)
    for (size_t m = 0; m < Mn; ++m) {
      stats[gi][m] = box_stats(d.values[gi][m]);
      all.push_back(&d.values[gi][m]);
      for (double v : d.values[gi][m])
        if (std::isfinite(v) && (v < 0 || v > 1)) unit = false;
    }
  // The metrics here live on [0, 1]; anything else gets its own padded range.
  auto [ya, yb] = unit ? std::make_pair(0.0, 1.0) : range_of(all, 0.05);
  size_t longest = 0;
  for (const auto& m : d.methods) longest = std::max(longest, m.size());
  const double box = std::clamp(360.0 / std::max<size_t>(Mn, 1), 14.0, 44.0), group_gap = box * 1.2;
  const double group_w = Mn * box + group_gap;
  const double L = 110, pw = std::max(420.0, std::max<size_t>(G, 1) * group_w), ph = 460, top = 80;
  const double legend_w = std::min(900.0, 110 + 11.0 * double(longest));
  const int width = int(L + pw + 30 + legend_w + 20);
  const int height = int(std::max(top + ph + 100, top + 40 + 30.0 * double(Mn)));
  return render(base, width, height, [&](const Page& p) {
    plstream& pls = p.pls;
    p.title(title);
    p.vp(L, top, L + pw, top + ph);
    const double xmax = std::max<size_t>(G, 1) * group_w;
    pls.wind(0, xmax, ya, yb);
    axes(pls, "", "g", kGrid);
    for (size_t gi = 0; gi < G; ++gi) {
      if (gi > 0) {  // separators between groups
        pls.col0(kMidGray);
        pls.width(1.0);
        pls.lsty(3);
        pls.join(gi * group_w, ya, gi * group_w, yb);
        pls.lsty(1);
      }
      size_t n_max = 0;
      for (size_t m = 0; m < Mn; ++m) {
        const BoxStats& b = stats[gi][m];
        n_max = std::max(n_max, b.n);
        if (b.n == 0) continue;
        const double c = gi * group_w + group_gap / 2 + (m + 0.5) * box, hw = box * 0.38;
        const PLFLT bx[4] = {c - hw, c + hw, c + hw, c - hw}, by[4] = {b.q1, b.q1, b.q3, b.q3};
        const Rgb3 col = series_rgb(int(m));
        pls.scol0a(kFill, col.r, col.g, col.b, 0.75);
        pls.col0(kFill);
        pls.fill(4, bx, by);
        pls.col0(kBlack);
        pls.width(1.2);
        const PLFLT ox[5] = {c - hw, c + hw, c + hw, c - hw, c - hw}, oy[5] = {b.q1, b.q1, b.q3, b.q3, b.q1};
        pls.line(5, ox, oy);
        pls.join(c, b.q3, c, b.whisker_hi);
        pls.join(c, b.q1, c, b.whisker_lo);
        pls.join(c - hw / 2, b.whisker_hi, c + hw / 2, b.whisker_hi);
        pls.join(c - hw / 2, b.whisker_lo, c + hw / 2, b.whisker_lo);
        pls.width(2.6);
        pls.join(c - hw, b.median, c + hw, b.median);
        pls.width(1.2);
        if (b.n < 10) {  // too few for a box alone: every value as a dot, spread across the box
          std::vector<double> px, py;
          for (double v : d.values[gi][m])
            if (std::isfinite(v))
              px.push_back(c + hw * 0.6 * (std::fmod(0.618034 * double(px.size()), 1.0) * 2 - 1)), py.push_back(v);
          pls.col0(kDarkGray);
          text(pls, 2.4);
          pls.string(PLINT(px.size()), px.data(), py.data(), "●");
        } else if (!b.outliers.empty()) {
          std::vector<double> ox2(b.outliers.size(), c);
          text(pls, kSmallText);
          pls.string(PLINT(ox2.size()), ox2.data(), b.outliers.data(), "○");
        }
      }
      text(pls, kLabelText);
      pls.col0(kBlack);
      const double pos = (gi + 0.5) * group_w / xmax;
      pls.mtex("b", 1.4, pos, 0.5, esc(d.groups[gi]).c_str());
      text(pls, kSmallText);
      pls.mtex("b", 3.1, pos, 0.5, ("n = " + std::to_string(n_max)).c_str());
    }
    axes(pls, "bc", "bcnstv");
    axis_labels(pls, "", y_label, 3.6);
    Legend lg;
    for (size_t m = 0; m < Mn; ++m) lg.add(Legend::kBox, series(int(m)), d.methods[m]);
    p.vp(L + pw + 30, top, width - 10.0, height - 10.0);
    pls.wind(0, 1, 0, 1);
    draw_legend(pls, lg, 1, false, 32.0 / legend_w);
    if (G == 0 || Mn == 0) p.label(L + pw / 2, top + ph / 2, "no values", kLabelText);
  });
}

}  // namespace p2l
