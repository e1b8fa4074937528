#include "cohort/CohortPreview.hpp"

#include <algorithm>
#include <cmath>

#include "cohort/SubjectSynthesizer.hpp"

namespace p2l {
namespace {

constexpr int kTargetPanelPx = 150;  // panels are upscaled by an integer factor to about this width
constexpr int kGap = 4, kLabelHeight = 12;
const Rgb kBackground{0, 0, 0}, kText{230, 230, 230}, kOutline{255, 40, 40};

// Slices at evenly spaced quantiles of the axial positions of the voxels of `v` (non-zero).
std::vector<size_t> pick_slices(const LabelVolume& v, int count, double lo_q, double hi_q) {
  std::vector<size_t> ks;
  const auto& n = v.geom.size;
  for (size_t k = 0; k < n[2]; ++k)
    for (size_t s = k * n[0] * n[1]; s < (k + 1) * n[0] * n[1]; ++s)
      if (v.data[s]) ks.push_back(k);
  std::vector<size_t> out;
  if (ks.empty()) return out;
  for (int c = 0; c < count; ++c) {
    double q = count == 1 ? 0.5 * (lo_q + hi_q) : lo_q + (hi_q - lo_q) * c / (count - 1);
    out.push_back(ks[size_t(q * (ks.size() - 1))]);
  }
  return out;
}

double window_max(const FloatVolume& img, const LabelVolume& mask) {
  std::vector<float> v;
  for (size_t s = 0; s < img.data.size(); ++s)
    if (mask.data[s]) v.push_back(img.data[s]);
  if (v.empty()) return 1.0;
  std::nth_element(v.begin(), v.begin() + v.size() * 995 / 1000, v.end());
  return std::max(1e-6, double(v[v.size() * 995 / 1000]));
}

// One axial slice as an upscaled panel in radiological view (patient right on the left,
// anterior up), whatever the grid's direction.
RgbImage panel(const FloatVolume& img, const LabelVolume& seg, size_t k, double vmax, int f) {
  const auto& g = img.geom;
  const int nx = int(g.size[0]), ny = int(g.size[1]);
  const bool flip_x = g.direction[0] < 0, flip_y = g.direction[4] < 0;
  RgbImage out(nx * f, ny * f);
  auto lesion = [&](int i, int j) {
    return !seg.data.empty() && i >= 0 && j >= 0 && i < nx && j < ny && seg.at(i, j, k) != 0;
  };
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      Rgb c = gray(img.at(i, j, k) / vmax);
      if (lesion(i, j) && !(lesion(i - 1, j) && lesion(i + 1, j) && lesion(i, j - 1) && lesion(i, j + 1))) c = kOutline;
      const int x = flip_x ? nx - 1 - i : i, y = flip_y ? ny - 1 - j : j;
      for (int dy = 0; dy < f; ++dy)
        for (int dx = 0; dx < f; ++dx) out.set(x * f + dx, y * f + dy, c);
    }
  return out;
}

}  // namespace

RgbImage preview_row(const SyntheticSubject& s, const std::string& label, int slices) {
  const auto& g = s.t1.geom;
  const int f = std::max(1, int(std::lround(double(kTargetPanelPx) / double(g.size[0]))));
  const int pw = int(g.size[0]) * f, ph = int(g.size[1]) * f;
  std::vector<size_t> ks;
  bool any_lesion = std::any_of(s.seg.data.begin(), s.seg.data.end(), [](uint8_t v) { return v != 0; });
  if (any_lesion) ks = pick_slices(s.seg, slices, 0.2, 0.8);
  else ks = pick_slices(s.mask, slices, 0.35, 0.75);
  const int cells = int(ks.size());
  RgbImage row(std::max(1, cells * (2 * pw + kGap) + (cells - 1) * 2 * kGap), kLabelHeight + ph, kBackground);
  draw_text(row, 2, 2, label, kText);
  const double m1 = window_max(s.t1, s.mask), m2 = window_max(s.t2, s.mask);
  for (int c = 0; c < cells; ++c) {
    const int x0 = c * (2 * pw + 3 * kGap);
    row.paste(panel(s.t1, s.seg, ks[c], m1, f), x0, kLabelHeight);
    row.paste(panel(s.t2, s.seg, ks[c], m2, f), x0 + pw + kGap, kLabelHeight);
    draw_text(row, x0 + 2, kLabelHeight + 2, "Z" + std::to_string(ks[c]), {255, 220, 0});
  }
  return row;
}

void write_preview(const std::string& path, const std::string& title, const std::vector<RgbImage>& rows) {
  int w = 6 * int(title.size()) * 2 + 4, h = 7 * 2 + 8;
  for (const auto& r : rows) w = std::max(w, r.width), h += r.height + kGap;
  RgbImage img(w, h, kBackground);
  draw_text(img, 2, 3, title, kText, 2);
  int y = 7 * 2 + 8;
  for (const auto& r : rows) img.paste(r, 0, y), y += r.height + kGap;
  write_png(path, img);
}

}  // namespace p2l
