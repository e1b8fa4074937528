#include "report/Plots.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

#include "io/AtomicFile.hpp"
#include "io/Statistics.hpp"

namespace p2l {
namespace {

// ---- Page, colours, text --------------------------------------------------------------------

// cmap0 indices. Series colours (methods, groups) start at kSeries: the tab10 palette, then
// evenly spread hues.
enum Colour : int {
  kWhite = 0, kBlack = 1, kRed = 2, kGrid = 3, kMidGray = 4, kYellow = 5, kGreen = 6, kDarkGray = 7,
  kFill = 8,  // scratch colour for translucent fills
  kSeries = 16
};
constexpr int kSeriesColours = 64;

struct Rgb3 {
  int r, g, b;
};

Rgb3 series_rgb(int k) {
  static const Rgb3 tab10[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                 {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                 {188, 189, 34},  {23, 190, 207}};
  if (k < 10) return tab10[k];
  // Golden-angle hues at fixed saturation and value.
  const double h = std::fmod(0.13 + 0.618034 * k, 1.0) * 6.0, s = 0.65, v = 0.8;
  const int i = int(h) % 6;
  const double f = h - std::floor(h), p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  double r = v, g = t, b = p;
  switch (i) {
    case 1: r = q, g = v, b = p; break;
    case 2: r = p, g = v, b = t; break;
    case 3: r = p, g = q, b = v; break;
    case 4: r = t, g = p, b = v; break;
    case 5: r = v, g = p, b = q; break;
    default: break;
  }
  return {int(std::lround(r * 255)), int(std::lround(g * 255)), int(std::lround(b * 255))};
}
int series(int k) { return kSeries + k % kSeriesColours; }

void palette(plstream& pls) {
  pls.scmap0n(kSeries + kSeriesColours);
  pls.scol0(kWhite, 255, 255, 255);
  pls.scol0(kBlack, 0, 0, 0);
  pls.scol0(kRed, 255, 0, 0);
  pls.scol0(kGrid, 225, 225, 225);
  pls.scol0(kMidGray, 150, 150, 150);
  pls.scol0(kYellow, 255, 215, 0);
  pls.scol0(kGreen, 0, 230, 64);
  pls.scol0(kDarkGray, 80, 80, 80);
  pls.scol0(kFill, 0, 0, 0);
  for (int k = 0; k < kSeriesColours; ++k) {
    const Rgb3 c = series_rgb(k);
    pls.scol0(kSeries + k, c.r, c.g, c.b);
  }
}

// PLplot character heights are in mm; the Cairo drivers draw 1 mm as a fixed number of device
// units whatever the page size, so text keeps its size in pixels (PNG) and points (PDF).
constexpr double kTickText = 5.0, kLabelText = 5.6, kTitleText = 6.8, kSmallText = 4.6;
void text(plstream& pls, double size) { pls.schr(size, 1.0); }

// '#' starts a PLplot text escape: literal ones are doubled.
std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '#' ? std::string("##") : std::string(1, c);
  return out;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Viewports placed in pixels from the top-left corner of the page.
struct Page {
  plstream& pls;
  double W, H;
  void vp(double left, double top, double right, double bottom) const {
    pls.vpor(left / W, right / W, 1 - bottom / H, 1 - top / H);
  }
  // Text centred at (x, y) pixels on the page, `just` 0 left .. 1 right.
  void label(double x, double y, const std::string& s, double size, double just = 0.5) const {
    pls.vpor(0, 1, 0, 1);
    pls.wind(0, W, 0, H);
    text(pls, size);
    pls.col0(kBlack);
    pls.ptex(x, H - y, 1, 0, just, s.c_str());
  }
  // The page title, smaller or on two lines when it would not fit.
  void title(const std::string& s) const {
    // About 2 px per mm of character height per character (DejaVu Sans, mixed text).
    auto fits = [&](const std::string& t, double size) { return utf8_length(t) * 2.05 * size < W - 40; };
    double size = kTitleText;
    while (!fits(s, size) && size > kLabelText) size -= 0.2;
    if (fits(s, size)) return label(W / 2, 34, esc(s), size);
    size_t cut = std::string::npos;  // the space nearest the middle
    for (size_t i = s.find(' '); i != std::string::npos; i = s.find(' ', i + 1))
      if (cut == std::string::npos || std::abs(double(i) - s.size() / 2.0) < std::abs(double(cut) - s.size() / 2.0))
        cut = i;
    if (cut == std::string::npos) return label(W / 2, 34, esc(s), size);
    label(W / 2, 22, esc(s.substr(0, cut)), size);
    label(W / 2, 46, esc(s.substr(cut + 1)), size);
  }
};

// PLplot asks on stdin for a device it does not have: check that the Cairo drivers are there.
void require_cairo_drivers() {
  static const bool ok = [] {
    std::vector<const char*> menu(256), names(256);
    const char** m = menu.data();
    const char** d = names.data();
    int n = int(names.size());
    plgFileDevs(&m, &d, &n);
    bool png = false, pdf = false;
    for (int i = 0; i < n; ++i) {
      png = png || std::string(d[i]) == "pngcairo";
      pdf = pdf || std::string(d[i]) == "pdfcairo";
    }
    return png && pdf;
  }();
  if (!ok)
    throw std::runtime_error("PLplot has no pngcairo/pdfcairo device: install plplot-driver-cairo "
                             "(scripts/debian-packages.txt)");
}

// Draws one page in each format into a temporary sibling, then renames it into place.
template <class Draw>
FigureFiles render(const std::string& base, int width, int height, Draw&& draw) {
  require_cairo_drivers();
  FigureFiles f{base + ".png", base + ".pdf", width, height};
  make_parent_dirs(f.png);
  const std::pair<const char*, std::string> outputs[] = {{"pngcairo", f.png}, {"pdfcairo", f.pdf}};
  for (const auto& [device, path] : outputs) {
    const std::string tmp = temp_path_for(path);
    // PLplot exits the process when it cannot open its output: check first.
    if (!std::ofstream(tmp, std::ios::binary | std::ios::trunc))
      throw std::runtime_error(path + ": cannot open " + tmp + " for writing");
    try {
      plstream pls;
      pls.sdev(device);
      pls.sfnam(tmp.c_str());
      pls.spage(0, 0, width, height, 0, 0);
      palette(pls);
      pls.init();
      pls.adv(0);
      pls.width(1.2);
      pls.smaj(2.2, 1.0);
      pls.smin(1.2, 1.0);
      draw(Page{pls, double(width), double(height)});
    } catch (...) {  // the stream is closed by now: drop its partial output
      std::remove(tmp.c_str());
      throw;
    }
    std::error_code ec;
    if (std::filesystem::file_size(tmp, ec) == 0 || ec) {
      std::remove(tmp.c_str());
      throw std::runtime_error(path + ": PLplot wrote nothing to " + tmp);
    }
    commit_file(tmp, path);
  }
  return f;
}

// ---- Colour maps and images -------------------------------------------------------------------

void cmap_gray(plstream& pls) {
  const PLFLT pos[2] = {0, 1}, v[2] = {0, 1};
  pls.scmap1n(256);
  pls.scmap1l(true, 2, pos, v, v, v);
}

// The classic MATLAB jet (the same as report/PngImage's jet).
void cmap_jet(plstream& pls) {
  const PLFLT pos[6] = {0, 0.125, 0.375, 0.625, 0.875, 1};
  const PLFLT r[6] = {0, 0, 0, 1, 1, 0.5}, g[6] = {0, 0, 1, 1, 0, 0}, b[6] = {0.5, 1, 1, 0, 0, 0};
  pls.scmap1n(256);
  pls.scmap1l(true, 6, pos, r, g, b);
}

// `v` is [nx][ny] (x index first) covering [x0, x1] x [y0, y1] in world coordinates, coloured with
// cmap1 on [lo, hi]; values below `zmin` are not drawn.
void image(plstream& pls, const std::vector<double>& v, int nx, int ny, double x0, double x1, double y0, double y1,
           double lo, double hi, double zmin = -std::numeric_limits<double>::max()) {
  std::vector<const PLFLT*> rows(static_cast<size_t>(nx));
  for (int i = 0; i < nx; ++i) rows[size_t(i)] = v.data() + size_t(i) * size_t(ny);
  pls.imagefr(rows.data(), nx, ny, x0, x1, y0, y1, zmin, std::numeric_limits<double>::max(), lo, hi, nullptr,
              nullptr);
}

// A vertical colour bar of the current cmap1 on [lo, hi], tick values on the right.
void colour_bar(const Page& p, double l, double t, double r, double b, double lo, double hi,
                const std::string& label) {
  plstream& pls = p.pls;
  p.vp(l, t, r, b);
  pls.wind(0, 1, lo, hi);
  const int n = 256;
  std::vector<double> v(size_t(2) * n);
  for (int x = 0; x < 2; ++x)
    for (int y = 0; y < n; ++y) v[size_t(x) * n + y] = lo + (hi - lo) * (y + 0.5) / n;
  image(pls, v, 2, n, 0, 1, lo, hi, lo, hi);
  pls.col0(kBlack);
  text(pls, kTickText);
  pls.box("bc", 0, 0, "bcmstv", 0, 0);
  size_t chars = 1;
  for (double end : {lo, hi}) chars = std::max(chars, fmt("%g", end).size());
  text(pls, kLabelText);
  pls.mtex("r", 1.3 + 0.75 * double(chars), 0.5, 0.5, esc(label).c_str());
}

struct Legend {
  enum Kind { kBox, kLine, kSymbol, kLineSymbol };
  struct Entry {
    Kind kind;
    int colour;
    std::string text, symbol = "●";
    int line_style = 1;
    double line_width = 2.0, symbol_scale = 0.6;
  };
  std::vector<Entry> entries;
  void add(Kind k, int colour, const std::string& t, const std::string& sym = "●", int style = 1,
           double symbol_scale = 0.6) {
    entries.push_back({k, colour, esc(t), sym, style, 2.0, symbol_scale});
  }
};

// The legend in the current viewport, at its top-left (or top-right) corner, inside.
void draw_legend(plstream& pls, const Legend& lg, int columns = 1, bool right = false, double swatch = 0.08,
                 double size = kTickText) {
  const int n = int(lg.entries.size());
  if (n == 0) return;
  std::vector<PLINT> opt(n), tcol(n, kBlack), bcol(n), bpat(n, 0), lcol(n), lsty(n), scol(n), snum(n, 1);
  std::vector<PLFLT> bscale(n, 0.8), bwidth(n, 1.0), lwidth(n), sscale(n);
  std::vector<const char*> txt(n), sym(n);
  for (int i = 0; i < n; ++i) {
    const auto& e = lg.entries[size_t(i)];
    opt[i] = e.kind == Legend::kBox        ? PL_LEGEND_COLOR_BOX
             : e.kind == Legend::kLine     ? PL_LEGEND_LINE
             : e.kind == Legend::kSymbol   ? PL_LEGEND_SYMBOL
                                           : PL_LEGEND_LINE | PL_LEGEND_SYMBOL;
    bcol[i] = lcol[i] = scol[i] = e.colour;
    lsty[i] = e.line_style;
    lwidth[i] = e.line_width;
    sscale[i] = e.symbol_scale;
    txt[i] = e.text.c_str();
    sym[i] = e.symbol.c_str();
  }
  text(pls, size);
  PLFLT w = 0, h = 0;
  const int rows = (n + columns - 1) / columns;
  pls.legend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX | (columns > 1 ? PL_LEGEND_ROW_MAJOR : 0),
             PL_POSITION_VIEWPORT | PL_POSITION_INSIDE | PL_POSITION_TOP |
                 (right ? PL_POSITION_RIGHT : PL_POSITION_LEFT),
             0.015, 0.02, swatch, kWhite, kMidGray, 1, rows, columns, n, opt.data(), 1.0, 1.0, 1.9, 0.0,
             tcol.data(), txt.data(), bcol.data(), bpat.data(), bscale.data(), bwidth.data(), lcol.data(),
             lsty.data(), lwidth.data(), scol.data(), sscale.data(), snum.data(), sym.data());
}

void axes(plstream& pls, const char* xopt, const char* yopt, int colour = kBlack) {
  pls.col0(colour);
  pls.width(1.2);
  text(pls, kTickText);
  pls.box(xopt, 0, 0, yopt, 0, 0);
}

void axis_labels(plstream& pls, const std::string& x, const std::string& y, double ydisp = 4.2, double xdisp = 2.9) {
  pls.col0(kBlack);
  text(pls, kLabelText);
  if (!x.empty()) pls.mtex("b", xdisp, 0.5, 0.5, esc(x).c_str());
  if (!y.empty()) pls.mtex("l", ydisp, 0.5, 0.5, esc(y).c_str());
}

void panel_title(plstream& pls, const std::string& t) {
  pls.col0(kBlack);
  text(pls, kLabelText);
  pls.mtex("t", 0.9, 0.5, 0.5, esc(t).c_str());
}

// ---- Statistics helpers -----------------------------------------------------------------------

std::vector<double> finite(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  return out;
}

// Padded [lo, hi] of finite values (and `extra`); a unit range around a single value.
std::pair<double, double> range_of(const std::vector<const std::vector<double>*>& series, double pad = 0.05,
                                   bool include_zero = false) {
  double lo = std::numeric_limits<double>::max(), hi = -lo;
  for (const auto* s : series)
    for (double x : *s)
      if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (lo > hi) return {0, 1};
  if (include_zero) lo = std::min(lo, 0.0);
  if (hi - lo < 1e-12) {
    const double d = std::max(std::abs(lo) * 0.1, 0.5);
    return {lo - d, hi + d};
  }
  const double d = (hi - lo) * pad;
  return {include_zero && lo == 0 ? 0 : lo - d, hi + d};
}

// ---- KDE --------------------------------------------------------------------------------------

// Gaussian KDE on an n x n grid (points at x0 + (x1 - x0) i / (n - 1)), [ix][iy], normalised.
std::vector<double> kde_2d(const std::vector<double>& x, const std::vector<double>& y, double x0, double x1,
                           double y0, double y1, int n, double bx, double by) {
  std::vector<double> f(size_t(n) * n, 0.0), kx(static_cast<size_t>(n)), ky(static_cast<size_t>(n));
  const double dx = (x1 - x0) / (n - 1), dy = (y1 - y0) / (n - 1);
  for (size_t k = 0; k < x.size(); ++k) {
    const int ix0 = std::max(0, int(std::floor((x[k] - 4 * bx - x0) / dx))),
              ix1 = std::min(n - 1, int(std::ceil((x[k] + 4 * bx - x0) / dx)));
    const int iy0 = std::max(0, int(std::floor((y[k] - 4 * by - y0) / dy))),
              iy1 = std::min(n - 1, int(std::ceil((y[k] + 4 * by - y0) / dy)));
    if (ix0 > ix1 || iy0 > iy1) continue;
    for (int i = ix0; i <= ix1; ++i) {
      const double e = (x0 + i * dx - x[k]) / bx;
      kx[size_t(i)] = std::exp(-0.5 * e * e);
    }
    for (int j = iy0; j <= iy1; ++j) {
      const double e = (y0 + j * dy - y[k]) / by;
      ky[size_t(j)] = std::exp(-0.5 * e * e);
    }
    for (int i = ix0; i <= ix1; ++i)
      for (int j = iy0; j <= iy1; ++j) f[size_t(i) * n + j] += kx[size_t(i)] * ky[size_t(j)];
  }
  const double norm = 1.0 / (double(x.size()) * 2 * M_PI * bx * by);
  for (double& v : f) v *= norm;
  return f;
}

std::vector<double> kde_1d(const std::vector<double>& x, double x0, double x1, int n, double bw) {
  std::vector<double> f(size_t(n), 0.0);
  const double dx = (x1 - x0) / (n - 1), norm = 1.0 / (double(x.size()) * std::sqrt(2 * M_PI) * bw);
  for (double v : x) {
    const int i0 = std::max(0, int(std::floor((v - 4 * bw - x0) / dx))),
              i1 = std::min(n - 1, int(std::ceil((v + 4 * bw - x0) / dx)));
    for (int i = i0; i <= i1; ++i) {
      const double e = (x0 + i * dx - v) / bw;
      f[size_t(i)] += std::exp(-0.5 * e * e);
    }
  }
  for (double& v : f) v *= norm;
  return f;
}

// Density thresholds whose super-level sets hold the given fractions of the grid's mass.
std::vector<double> mass_levels(const std::vector<double>& f, const std::vector<double>& masses) {
  std::vector<double> s(f);
  std::sort(s.rbegin(), s.rend());
  double total = 0;
  for (double v : s) total += v;
  std::vector<double> out;
  for (double m : masses) {
    double acc = 0;
    double level = s.back();
    for (double v : s) {
      acc += v;
      if (acc >= m * total) {
        level = v;
        break;
      }
    }
    out.push_back(level);
  }
  return out;
}

}  // namespace

// ---- Box statistics ---------------------------------------------------------------------------

BoxStats box_stats(std::vector<double> v) {
  v = finite(v);
  std::sort(v.begin(), v.end());
  BoxStats b;
  b.n = v.size();
  if (v.empty()) {
    b.q1 = b.median = b.q3 = b.whisker_lo = b.whisker_hi = NAN;
    return b;
  }
  b.q1 = percentile_blend(v, 25), b.median = percentile_blend(v, 50), b.q3 = percentile_blend(v, 75);
  const double iqr = b.q3 - b.q1, lo = b.q1 - 1.5 * iqr, hi = b.q3 + 1.5 * iqr;
  b.whisker_lo = b.q1, b.whisker_hi = b.q3;
  for (double x : v) {
    if (x < lo || x > hi) b.outliers.push_back(x);
    else b.whisker_lo = std::min(b.whisker_lo, x), b.whisker_hi = std::max(b.whisker_hi, x);
  }
  return b;
}

// ---- Overlays ---------------------------------------------------------------------------------

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

// ---- KDE --------------------------------------------------------------------------------------

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

// ---- Location ellipses ------------------------------------------------------------------------

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

// ---- Training curves --------------------------------------------------------------------------

namespace {

std::vector<double> running_mean(const std::vector<double>& v, size_t window) {
  std::vector<double> out(v.size(), NAN);
  if (window <= 1) return v;
  const size_t half = window / 2;
  for (size_t i = 0; i < v.size(); ++i) {
    double s = 0;
    size_t c = 0;
    for (size_t j = i >= half ? i - half : 0; j <= std::min(v.size() - 1, i + half); ++j)
      if (std::isfinite(v[j])) s += v[j], ++c;
    if (c) out[i] = s / double(c);
  }
  return out;
}

// Draws the finite runs of (x, y) as lines (a NaN breaks the line).
void line_finite(plstream& pls, const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> rx, ry;
  auto flush = [&] {
    if (rx.size() >= 2) pls.line(PLINT(rx.size()), rx.data(), ry.data());
    else if (rx.size() == 1) pls.string(1, rx.data(), ry.data(), "●");
    rx.clear(), ry.clear();
  };
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
    if (std::isfinite(x[i]) && std::isfinite(y[i])) rx.push_back(x[i]), ry.push_back(y[i]);
    else flush();
  }
  flush();
}

void points_finite(plstream& pls, const std::vector<double>& x, const std::vector<double>& y, const char* sym) {
  std::vector<double> rx, ry;
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i])) rx.push_back(x[i]), ry.push_back(y[i]);
  if (!rx.empty()) pls.string(PLINT(rx.size()), rx.data(), ry.data(), sym);
}

// Tick values of a log10 y axis (world y = log10 of the value): 1, 2 and 5 x 10^k over up to
// three decades, 10^k beyond.
void log_labels(plstream& pls, double ya, double yb) {
  pls.col0(kBlack);
  text(pls, kTickText);
  const std::vector<double> mant = yb - ya <= 3 ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
  for (int k = int(std::floor(ya)) - 1; k <= int(std::ceil(yb)); ++k)
    for (double m : mant) {
      const double y = k + std::log10(m);
      if (y < ya || y > yb) continue;
      pls.mtex("lv", 0.7, (y - ya) / (yb - ya), 1.0, fmt("%g", m * std::pow(10.0, k)).c_str());
    }
}

std::vector<double> log10_of(const std::vector<double>& v) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] > 0 ? std::log10(v[i]) : NAN;
  return out;
}

}  // namespace

FigureFiles plot_training_curves(const std::string& base, const TrainingSeries& s, const std::string& title) {
  // Wall time in the unit that fits its range.
  double wall_max = 0;
  for (const auto* v : {&s.wall, &s.val_wall})
    for (double x : *v)
      if (std::isfinite(x)) wall_max = std::max(wall_max, x);
  const double unit = wall_max > 2 * 3600 ? 3600 : wall_max > 120 ? 60 : 1;
  const std::string unit_name = unit == 3600 ? "h" : unit == 60 ? "min" : "s";
  auto scaled = [&](const std::vector<double>& v) {
    std::vector<double> out(v);
    for (double& x : out) x /= unit;
    return out;
  };
  const std::vector<double> wall = scaled(s.wall), val_wall = scaled(s.val_wall);
  // A log axis when every loss is positive and they span at least a decade.
  double loss_min = std::numeric_limits<double>::max(), loss_max = -loss_min;
  for (const auto* v : {&s.loss, &s.val_loss})
    for (double x : *v)
      if (std::isfinite(x)) loss_min = std::min(loss_min, x), loss_max = std::max(loss_max, x);
  const bool log_loss = loss_min > 0 && loss_max >= 10 * loss_min;
  const std::vector<double> mean = running_mean(s.loss, std::max<size_t>(1, s.loss.size() / 50));
  const std::vector<double> loss = log_loss ? log10_of(s.loss) : s.loss, mean_y = log_loss ? log10_of(mean) : mean,
                            val_loss = log_loss ? log10_of(s.val_loss) : s.val_loss;
  std::string err_name = s.error_key.empty() ? "validation error" : s.error_key;
  std::replace(err_name.begin(), err_name.end(), '_', ' ');

  const double L = 120, pw = 560, ph = 340, gap = 140, top = 80, vgap = 120;
  const int width = int(L + 2 * pw + gap + 40), height = int(top + 2 * ph + vgap + 80);
  return render(base, width, height, [&](const Page& p) {
    plstream& pls = p.pls;
    p.title(title);
    for (int col = 0; col < 2; ++col) {
      const std::vector<double>& x = col == 0 ? s.step : wall;
      const std::vector<double>& vx = col == 0 ? s.val_step : val_wall;
      const std::string xl = col == 0 ? "step" : "wall time (" + unit_name + ", summed over resumed runs)";
      const double l = L + col * (pw + gap);
      // Loss.
      {
        auto [xa, xb] = range_of({&x, &vx}, 0.02);
        if (col == 0 && xa < 0) xa = 0;
        auto [ya, yb] = range_of({&loss, &val_loss}, 0.05);
        yb += 0.3 * (yb - ya);  // room for the legend
        p.vp(l, top, l + pw, top + ph);
        pls.wind(xa, xb, ya, yb);
        axes(pls, "g", log_loss ? "gl" : "g", kGrid);
        // Raw per-step loss, faint; its running mean and the validation loss on top.
        pls.scol0a(kFill, 31, 119, 180, 0.35);
        pls.col0(kFill);
        line_finite(pls, x, loss);
        pls.col0(series(0));
        pls.width(2.2);
        line_finite(pls, x, mean_y);
        pls.col0(series(1));
        pls.width(2.2);
        line_finite(pls, vx, val_loss);
        text(pls, 3.2);
        points_finite(pls, vx, val_loss, "●");
        axes(pls, "bcnst", log_loss ? "bcstl" : "bcnstv");
        if (log_loss) log_labels(pls, ya, yb);
        axis_labels(pls, xl, log_loss ? "loss (log scale)" : "loss", 4.4);
        panel_title(pls, col == 0 ? "loss against step" : "loss against wall time");
        Legend lg;
        lg.add(Legend::kLine, kFill, "training loss (per step)");
        lg.add(Legend::kLine, series(0), "training loss (running mean)");
        if (!s.val_step.empty()) lg.add(Legend::kLineSymbol, series(1), "validation loss");
        draw_legend(pls, lg, 1, true, 0.08, kSmallText);
      }
      // Validation error.
      {
        const double t = top + ph + vgap;
        auto [xa, xb] = range_of({&x, &vx}, 0.02);
        if (col == 0 && xa < 0) xa = 0;
        auto [ya, yb] = range_of({&s.val_error, &s.val_chance}, 0.08, true);
        yb += 0.3 * (yb - ya);  // room for the legend
        p.vp(l, t, l + pw, t + ph);
        pls.wind(xa, xb, ya, yb);
        axes(pls, "g", "g", kGrid);
        pls.col0(kMidGray);
        pls.width(1.6);
        pls.lsty(2);
        line_finite(pls, vx, s.val_chance);
        pls.lsty(1);
        pls.col0(series(2));
        pls.width(2.2);
        line_finite(pls, vx, s.val_error);
        text(pls, 3.2);
        points_finite(pls, vx, s.val_error, "●");
        axes(pls, "bcnst", "bcnstv");
        axis_labels(pls, xl, "validation " + err_name, 4.4);
        panel_title(pls, "validation " + err_name + (col == 0 ? " against step" : " against wall time"));
        if (s.val_step.empty()) {
          text(pls, kLabelText);
          pls.col0(kDarkGray);
          pls.mtex("t", -3, 0.5, 0.5, "no validation in this log");
        }
        Legend lg;
        lg.add(Legend::kLineSymbol, series(2), "validation " + err_name);
        lg.add(Legend::kLine, kMidGray, "chance level", "●", 2);
        draw_legend(pls, lg, 1, true, 0.08, kSmallText);
      }
    }
  });
}

// ---- Box plots --------------------------------------------------------------------------------

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
