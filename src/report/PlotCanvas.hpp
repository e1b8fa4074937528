#pragma once
// The drawing layer under the report's figures: a page rendered to PNG and PDF through PLplot's
// Cairo drivers, its palette and text sizes, and the primitives the figures share (images and
// colour maps, colour bars, legends, axes, lines with gaps). Only the .cpp files see PLplot:
// the stream is declared here, not defined.
//
// In namespace p2l::canvas so that the short primitive names stay out of p2l.
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "report/FigureFiles.hpp"

class plstream;

namespace p2l::canvas {

// ---- Colours and text --------------------------------------------------------------------------

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

// The colour of series k (k >= 0) and its cmap0 index.
Rgb3 series_rgb(int k);
int series(int k);

// PLplot character heights are in mm; the Cairo drivers draw 1 mm as a fixed number of device
// units whatever the page size, so text keeps its size in pixels (PNG) and points (PDF).
constexpr double kTickText = 5.0, kLabelText = 5.6, kTitleText = 6.8, kSmallText = 4.6;
void text(plstream& pls, double size);

// '#' starts a PLplot text escape: literal ones are doubled.
std::string esc(const std::string& s);

// One number through a printf format.
std::string fmt(const char* f, double v);

// ---- Page ----------------------------------------------------------------------------------------

// Viewports placed in pixels from the top-left corner of the page.
struct Page {
  plstream& pls;
  double W, H;
  void vp(double left, double top, double right, double bottom) const;
  // Text centred at (x, y) pixels on the page, `just` 0 left .. 1 right.
  void label(double x, double y, const std::string& s, double size, double just = 0.5) const;
  // The page title, smaller or on two lines when it would not fit.
  void title(const std::string& s) const;
};

// Draws one page in each format into a temporary sibling, then renames it into place (see
// FigureFiles).
FigureFiles render(const std::string& base, int width, int height, const std::function<void(const Page&)>& draw);

// ---- Colour maps and images ----------------------------------------------------------------------

void cmap_gray(plstream& pls);
// The classic MATLAB jet (the same as report/PngImage's jet).
void cmap_jet(plstream& pls);

// `v` is [nx][ny] (x index first) covering [x0, x1] x [y0, y1] in world coordinates, coloured with
// cmap1 on [lo, hi]; values below `zmin` are not drawn.
void image(plstream& pls, const std::vector<double>& v, int nx, int ny, double x0, double x1, double y0, double y1,
           double lo, double hi, double zmin = -std::numeric_limits<double>::max());

// A vertical colour bar of the current cmap1 on [lo, hi], tick values on the right.
void colour_bar(const Page& p, double l, double t, double r, double b, double lo, double hi,
                const std::string& label);

// ---- Legends, axes, series -----------------------------------------------------------------------

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
                 double size = kTickText);

// The current viewport's box, ticks and tick values (plbox options) in `colour`; axis labels
// `xdisp`/`ydisp` character heights outside the box (an empty one is left out); a panel title above.
void axes(plstream& pls, const char* xopt, const char* yopt, int colour = kBlack);
void axis_labels(plstream& pls, const std::string& x, const std::string& y, double ydisp = 4.2, double xdisp = 2.9);
void panel_title(plstream& pls, const std::string& t);

// [lo, hi] of the finite values of all `series`, padded by `pad` of the span; `include_zero`
// extends it down to 0 (and then pads nothing below 0). Around a single value: +-max(10 % of it,
// 0.5); [0, 1] for none.
std::pair<double, double> range_of(const std::vector<const std::vector<double>*>& series, double pad = 0.05,
                                   bool include_zero = false);

// Draws the finite runs of (x, y) as lines (a NaN breaks the line).
void line_finite(plstream& pls, const std::vector<double>& x, const std::vector<double>& y);
// The finite points of (x, y) as `sym`.
void points_finite(plstream& pls, const std::vector<double>& x, const std::vector<double>& y, const char* sym);

// Tick values of a log10 y axis (world y = log10 of the value): 1, 2 and 5 x 10^k over up to
// three decades, 10^k beyond.
void log_labels(plstream& pls, double ya, double yb);

}  // namespace p2l::canvas
