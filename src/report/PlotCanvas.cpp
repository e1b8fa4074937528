#include "report/PlotCanvas.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "io/AtomicFile.hpp"

namespace p2l::canvas {
namespace {

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

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

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

}  // namespace

// ---- Colours and text --------------------------------------------------------------------------

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

void text(plstream& pls, double size) { pls.schr(size, 1.0); }

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

// ---- Page ----------------------------------------------------------------------------------------

void Page::vp(double left, double top, double right, double bottom) const {
  pls.vpor(left / W, right / W, 1 - bottom / H, 1 - top / H);
}

void Page::label(double x, double y, const std::string& s, double size, double just) const {
  pls.vpor(0, 1, 0, 1);
  pls.wind(0, W, 0, H);
  text(pls, size);
  pls.col0(kBlack);
  pls.ptex(x, H - y, 1, 0, just, s.c_str());
}

void Page::title(const std::string& s) const {
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

FigureFiles render(const std::string& base, int width, int height, const std::function<void(const Page&)>& draw) {
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

void cmap_jet(plstream& pls) {
  const PLFLT pos[6] = {0, 0.125, 0.375, 0.625, 0.875, 1};
  const PLFLT r[6] = {0, 0, 0, 1, 1, 0.5}, g[6] = {0, 0, 1, 1, 0, 0}, b[6] = {0.5, 1, 1, 0, 0, 0};
  pls.scmap1n(256);
  pls.scmap1l(true, 6, pos, r, g, b);
}

void image(plstream& pls, const std::vector<double>& v, int nx, int ny, double x0, double x1, double y0, double y1,
           double lo, double hi, double zmin) {
  std::vector<const PLFLT*> rows(static_cast<size_t>(nx));
  for (int i = 0; i < nx; ++i) rows[size_t(i)] = v.data() + size_t(i) * size_t(ny);
  pls.imagefr(rows.data(), nx, ny, x0, x1, y0, y1, zmin, std::numeric_limits<double>::max(), lo, hi, nullptr,
              nullptr);
}

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

// ---- Legends, axes, series -----------------------------------------------------------------------

void draw_legend(plstream& pls, const Legend& lg, int columns, bool right, double swatch, double size) {
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

void axes(plstream& pls, const char* xopt, const char* yopt, int colour) {
  pls.col0(colour);
  pls.width(1.2);
  text(pls, kTickText);
  pls.box(xopt, 0, 0, yopt, 0, 0);
}

void axis_labels(plstream& pls, const std::string& x, const std::string& y, double ydisp, double xdisp) {
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

std::pair<double, double> range_of(const std::vector<const std::vector<double>*>& series, double pad,
                                   bool include_zero) {
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

}  // namespace p2l::canvas
