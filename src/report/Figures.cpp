#include "report/Figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace p2l {
namespace {

constexpr int kTitle = 12;  // pixels above a panel for its title

// Display coordinates of slice pixel (h, w): x = h, y = W - 1 - w.
void put(RgbImage& img, int x0, int y0, int scale, int W, int h, int w, Rgb c) {
  for (int dy = 0; dy < scale; ++dy)
    for (int dx = 0; dx < scale; ++dx) {
      const int x = x0 + h * scale + dx, y = y0 + (W - 1 - w) * scale + dy;
      if (x >= 0 && y >= 0 && x < img.width && y < img.height) img.set(x, y, c);
    }
}

void gray_panel(RgbImage& img, int x0, int y0, int scale, const float* slice, int H, int W) {
  for (int h = 0; h < H; ++h)
    for (int w = 0; w < W; ++w) put(img, x0, y0, scale, W, h, w, gray(slice[h * W + w]));
}

double quantile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[size_t(q * double(v.size() - 1))];
}

double stddev(const std::vector<double>& v) {
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= double(v.size());
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size()));
}

std::string fixed(double x, int d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", d, x);
  return buf;
}

}  // namespace

RgbImage overlay_row(const float* slice, const float* heat, const uint8_t* mask, const uint8_t* seg,
                     int H, int W, double vmax, int scale, const std::string& title) {
  const int pw = H * scale, ph = W * scale, gap = 4;
  RgbImage img(3 * pw + 2 * gap, ph + kTitle);
  draw_text(img, 2, 2, title, {255, 255, 255});
  gray_panel(img, 0, kTitle, scale, slice, H, W);
  for (int h = 0; h < H; ++h)
    for (int w = 0; w < W; ++w) {
      const int i = h * W + w;
      const Rgb c = mask[i] ? jet(vmax > 0 ? heat[i] / vmax : 0.0) : Rgb{0, 0, 0};
      put(img, pw + gap, kTitle, scale, W, h, w, c);
    }
  gray_panel(img, 2 * (pw + gap), kTitle, scale, slice, H, W);
  if (seg)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        if (!seg[h * W + w]) continue;
        const bool edge = h == 0 || w == 0 || h + 1 == H || w + 1 == W || !seg[(h - 1) * W + w] ||
                          !seg[(h + 1) * W + w] || !seg[h * W + w - 1] || !seg[h * W + w + 1];
        if (edge) put(img, 2 * (pw + gap), kTitle, scale, W, h, w, {255, 0, 0});
      }
  return img;
}

RgbImage stack_rows(const std::vector<RgbImage>& rows, int gap) {
  int w = 0, h = 0;
  for (const auto& r : rows) w = std::max(w, r.width), h += r.height + gap;
  RgbImage img(std::max(w, 1), std::max(h - gap, 1));
  int y = 0;
  for (const auto& r : rows) img.paste(r, 0, y), y += r.height + gap;
  return img;
}

RgbImage kde_figure(const std::vector<ScatterGroup>& groups, const std::string& x_name,
                    const std::string& y_name, int panel) {
  std::vector<double> px, py;
  for (const auto& g : groups) px.insert(px.end(), g.x.begin(), g.x.end()), py.insert(py.end(), g.y.begin(), g.y.end());
  double x0 = quantile_of(px, 0.01), x1 = quantile_of(px, 0.99);
  double y0 = quantile_of(py, 0.01), y1 = quantile_of(py, 0.99);
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  const int gap = 8, top = 2 * kTitle;
  RgbImage img(int(groups.size()) * (panel + gap) + gap, panel + top + kTitle + 4);
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& g = groups[gi];
    const int ox = gap + int(gi) * (panel + gap);
    draw_text(img, ox, 2, g.name + " RHO=" + fixed(g.spearman, 2), {255, 255, 255});
    std::vector<double> d(size_t(panel) * panel, 0.0);
    if (g.x.size() >= 2) {
      const double n = double(g.x.size());
      // At least one pixel wide, so a tight cluster still shows up between pixel centres.
      const double bx = std::max((x1 - x0) / panel, stddev(g.x) * std::pow(n, -1.0 / 6.0));
      const double by = std::max((y1 - y0) / panel, stddev(g.y) * std::pow(n, -1.0 / 6.0));
      for (size_t k = 0; k < g.x.size(); ++k)
        for (int r = 0; r < panel; ++r) {
          const double yv = y1 - (y1 - y0) * (r + 0.5) / panel, ey = (yv - g.y[k]) / by;
          if (std::abs(ey) > 4) continue;
          for (int c = 0; c < panel; ++c) {
            const double xv = x0 + (x1 - x0) * (c + 0.5) / panel, ex = (xv - g.x[k]) / bx;
            if (std::abs(ex) < 4) d[size_t(r) * panel + c] += std::exp(-0.5 * (ex * ex + ey * ey));
          }
        }
    }
    const double peak = *std::max_element(d.begin(), d.end());
    for (int r = 0; r < panel; ++r)
      for (int c = 0; c < panel; ++c)
        img.set(ox + c, top + r, peak > 0 ? jet(d[size_t(r) * panel + c] / peak) : Rgb{0, 0, 0});
    draw_text(img, ox, top + panel + 3, x_name + " " + fixed(x0, 1) + ".." + fixed(x1, 1), {200, 200, 200});
  }
  draw_text(img, gap, kTitle, y_name + " " + fixed(y0, 1) + ".." + fixed(y1, 1) + " (UP)", {200, 200, 200});
  return img;
}

RgbImage ellipse_figure(const float* slice, int H, int W, double true_h, double true_w,
                        const std::vector<LocationEllipse>& ellipses, int scale,
                        const std::string& title) {
  RgbImage img(H * scale, W * scale + kTitle);
  draw_text(img, 2, 2, title, {255, 255, 255});
  gray_panel(img, 0, kTitle, scale, slice, H, W);
  auto dot = [&](double h, double w, Rgb c) {
    const int x = int(std::lround(h * scale)), y = kTitle + int(std::lround((W - 1 - w) * scale));
    if (x >= 0 && y >= kTitle && x < img.width && y < img.height) img.set(x, y, c);
  };
  for (const auto& e : ellipses) {
    for (int a = 0; a < 720; ++a) {
      const double t = a * M_PI / 360.0;
      dot(e.h + e.sigma_h * std::cos(t), e.w + e.sigma_w * std::sin(t), {255, 220, 0});
    }
    for (int d = -1; d <= 1; ++d) dot(e.h + d / double(scale), e.w, {255, 0, 0});
  }
  for (int d = -3; d <= 3; ++d) {
    dot(true_h + d * 0.5, true_w, {0, 255, 0});
    dot(true_h, true_w + d * 0.5, {0, 255, 0});
  }
  return img;
}

}  // namespace p2l
