#include "cohort/TissueModel.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "cohort/DistanceMap.hpp"
#include "io/Nifti.hpp"

namespace p2l {
namespace {

// Margin around the brain bounding box, so warped subjects stay inside the grid.
constexpr double kMarginMm = 6.0;
// Ventricles: CSF at least this deep below the brain surface (sulcal CSF is shallower) ...
constexpr double kVentricleDepthMm = 12.0;
// ... in connected pieces of at least this volume (drops isolated dark voxels in deep GM).
constexpr double kVentricleMinMl = 0.5;

// Connected components (6-neighbourhood) of `mask`; returns a label per voxel and the sizes.
std::vector<int> components(const LabelVolume& mask, std::vector<size_t>& sizes) {
  const auto& n = mask.geom.size;
  std::vector<int> label(mask.data.size(), -1);
  std::vector<size_t> queue;
  sizes.clear();
  for (size_t s = 0; s < mask.data.size(); ++s) {
    if (!mask.data[s] || label[s] >= 0) continue;
    int id = int(sizes.size());
    queue.assign(1, s);
    label[s] = id;
    for (size_t h = 0; h < queue.size(); ++h) {
      size_t p = queue[h];
      size_t i = p % n[0], j = (p / n[0]) % n[1], k = p / (n[0] * n[1]);
      size_t nb[6];
      int c = 0;
      if (i > 0) nb[c++] = p - 1;
      if (i + 1 < n[0]) nb[c++] = p + 1;
      if (j > 0) nb[c++] = p - n[0];
      if (j + 1 < n[1]) nb[c++] = p + n[0];
      if (k > 0) nb[c++] = p - n[0] * n[1];
      if (k + 1 < n[2]) nb[c++] = p + n[0] * n[1];
      for (int q = 0; q < c; ++q)
        if (mask.data[nb[q]] && label[nb[q]] < 0) label[nb[q]] = id, queue.push_back(nb[q]);
    }
    sizes.push_back(queue.size());
  }
  return label;
}

// The largest connected piece of `mask` with its internal holes filled.
LabelVolume clean_mask(const LabelVolume& mask) {
  std::vector<size_t> sizes;
  auto label = components(mask, sizes);
  if (sizes.empty()) return mask;
  int best = int(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  LabelVolume out(mask.geom);
  for (size_t s = 0; s < out.data.size(); ++s) out.data[s] = label[s] == best;
  // Holes: background pieces that do not touch the volume border.
  LabelVolume background(mask.geom);
  for (size_t s = 0; s < out.data.size(); ++s) background.data[s] = !out.data[s];
  auto bg = components(background, sizes);
  const auto& n = mask.geom.size;
  std::vector<char> outside(sizes.size(), 0);
  for (size_t k = 0; k < n[2]; ++k)
    for (size_t j = 0; j < n[1]; ++j)
      for (size_t i = 0; i < n[0]; ++i) {
        bool border = i == 0 || j == 0 || k == 0 || i + 1 == n[0] || j + 1 == n[1] || k + 1 == n[2];
        size_t s = out.index(i, j, k);
        if (border && bg[s] >= 0) outside[bg[s]] = 1;
      }
  for (size_t s = 0; s < out.data.size(); ++s)
    if (bg[s] >= 0 && !outside[bg[s]]) out.data[s] = 1;
  return out;
}

// Three-class k-means on intensities (CSF, GM, WM), started from quantiles.
std::array<double, 3> class_means(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  auto q = [&](double f) { return double(values[size_t(f * (values.size() - 1))]); };
  std::array<double, 3> m{q(0.05), q(0.45), q(0.85)};
  for (int it = 0; it < 50; ++it) {
    std::array<double, 3> sum{}, cnt{};
    for (float v : values) {
      int c = std::abs(v - m[0]) < std::abs(v - m[1]) ? 0 : (std::abs(v - m[1]) < std::abs(v - m[2]) ? 1 : 2);
      sum[c] += v, cnt[c] += 1;
    }
    for (int c = 0; c < 3; ++c)
      if (cnt[c] > 0) m[c] = sum[c] / cnt[c];
  }
  return m;
}

// Separable Gaussian blur (anti-aliasing before sampling on a coarser grid).
void blur(FloatVolume& v, double sigma_mm) {
  const auto& n = v.geom.size;
  const size_t stride[3] = {1, n[0], n[0] * n[1]};
  std::vector<float> line;
  for (int axis = 0; axis < 3; ++axis) {
    double sigma = sigma_mm / v.geom.spacing[axis];
    int r = int(std::ceil(3 * sigma));
    if (r < 1) continue;
    std::vector<double> w(2 * r + 1);
    double tot = 0;
    for (int t = -r; t <= r; ++t) tot += w[t + r] = std::exp(-0.5 * t * t / (sigma * sigma));
    for (auto& x : w) x /= tot;
    const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    line.resize(n[axis]);
    for (size_t p = 0; p < n[a1]; ++p)
      for (size_t q = 0; q < n[a2]; ++q) {
        size_t base = p * stride[a1] + q * stride[a2];
        for (size_t i = 0; i < n[axis]; ++i) line[i] = v.data[base + i * stride[axis]];
        for (long i = 0; i < long(n[axis]); ++i) {
          double s = 0;
          for (int t = -r; t <= r; ++t) {
            long x = i + t;
            if (x >= 0 && x < long(n[axis])) s += w[t + r] * line[x];
          }
          v.data[base + i * stride[axis]] = float(s);
        }
      }
  }
}

// Trilinear sample of `v` at template mm `u` (0 outside).
double trilinear(const FloatVolume& v, const Vec3& u, const Vec3& lo, double step) {
  double t[3];
  long b[3];
  for (int d = 0; d < 3; ++d) {
    double x = (u[d] - lo[d]) / step;
    if (x < 0 || x > double(v.geom.size[d] - 1)) return 0.0;
    b[d] = std::min(long(x), long(v.geom.size[d]) - 2);
    t[d] = x - double(b[d]);
  }
  double s = 0;
  for (int c = 0; c < 8; ++c) {
    int di = c & 1, dj = (c >> 1) & 1, dk = (c >> 2) & 1;
    double w = (di ? t[0] : 1 - t[0]) * (dj ? t[1] : 1 - t[1]) * (dk ? t[2] : 1 - t[2]);
    if (w != 0) s += w * v.at(b[0] + di, b[1] + dj, b[2] + dk);
  }
  return s;
}

}  // namespace

Tissue TissueModel::classify(double v) const {
  if (v < 0.5 * (class_mean[kCsf] + class_mean[kGm])) return kCsf;
  if (v < 0.5 * (class_mean[kGm] + class_mean[kWm])) return kGm;
  return kWm;
}

double TissueModel::sample(const FloatVolume& channel, const Vec3& u) const {
  return trilinear(channel, u, lo, voxel_mm);
}

TissueModel TissueModel::load(const std::string& template_dir, double voxel_mm) {
  const std::string path = (std::filesystem::path(template_dir) / "ch2bet.nii.gz").string();
  if (!std::filesystem::exists(path))
    throw std::runtime_error(path + ": Colin27 brain template not found (install Debian package mricron-data)");
  FloatVolume src = read_nifti_float(path);
  const auto& sg = src.geom;
  if (std::abs(sg.spacing[0] - sg.spacing[1]) > 1e-3 || std::abs(sg.spacing[0] - sg.spacing[2]) > 1e-3)
    throw std::runtime_error(path + ": expected an isotropic template");
  const double h = sg.spacing[0];
  const Vec3 src_lo{0, 0, 0};

  LabelVolume raw(sg);
  for (size_t s = 0; s < raw.data.size(); ++s) raw.data[s] = src.data[s] > 0;
  LabelVolume mask = clean_mask(raw);

  TissueModel m;
  std::vector<float> inside;
  for (size_t s = 0; s < mask.data.size(); ++s)
    if (mask.data[s] && src.data[s] > 0) inside.push_back(src.data[s]);
  if (inside.size() < 1000) throw std::runtime_error(path + ": template brain is (nearly) empty");
  m.class_mean = class_means(inside);
  // Filled holes carry no intensity; treat them as CSF. Outside the brain: nothing.
  for (size_t s = 0; s < mask.data.size(); ++s) {
    if (!mask.data[s]) src.data[s] = 0;
    else if (src.data[s] <= 0) src.data[s] = float(m.class_mean[kCsf]);
  }

  // Ventricles: deep CSF in sizeable pieces.
  LabelVolume outside(sg);
  for (size_t s = 0; s < mask.data.size(); ++s) outside.data[s] = !mask.data[s];
  FloatVolume depth = distance_to(outside);
  LabelVolume vent(sg);
  for (size_t s = 0; s < mask.data.size(); ++s)
    vent.data[s] = mask.data[s] && depth.data[s] >= kVentricleDepthMm && m.classify(src.data[s]) == kCsf;
  {
    std::vector<size_t> sizes;
    auto label = components(vent, sizes);
    const double min_vox = kVentricleMinMl * 1000.0 / (h * h * h);
    for (size_t s = 0; s < vent.data.size(); ++s) vent.data[s] = label[s] >= 0 && sizes[label[s]] >= min_vox;
  }
  FloatVolume vdist = distance_to(vent);

  // Statistics and the grid (brain bounding box plus margin).
  Vec3 bmin{1e9, 1e9, 1e9}, bmax{-1e9, -1e9, -1e9}, vmin = bmin, vmax = bmax, csum{};
  size_t nbrain = 0, nvent = 0;
  for (size_t k = 0; k < sg.size[2]; ++k)
    for (size_t j = 0; j < sg.size[1]; ++j)
      for (size_t i = 0; i < sg.size[0]; ++i) {
        size_t s = mask.index(i, j, k);
        if (!mask.data[s]) continue;
        Vec3 u{h * i, h * j, h * k};
        ++nbrain;
        for (int d = 0; d < 3; ++d) bmin[d] = std::min(bmin[d], u[d]), bmax[d] = std::max(bmax[d], u[d]), csum[d] += u[d];
        if (vent.data[s]) {
          ++nvent;
          for (int d = 0; d < 3; ++d) vmin[d] = std::min(vmin[d], u[d]), vmax[d] = std::max(vmax[d], u[d]);
        }
      }
  if (nvent == 0) throw std::runtime_error(path + ": no ventricles found in the template");
  const double vox_ml = h * h * h / 1000.0;
  m.brain_volume_ml = nbrain * vox_ml;
  m.ventricle_volume_ml = nvent * vox_ml;
  for (int d = 0; d < 3; ++d) {
    m.brain_centre[d] = csum[d] / double(nbrain);
    m.ventricle_centre[d] = 0.5 * (vmin[d] + vmax[d]);
    m.ventricle_half_extent[d] = 0.5 * (vmax[d] - vmin[d]);
  }
  m.superior_sign = sg.direction[8] >= 0 ? 1.0 : -1.0;
  m.anterior_sign = sg.direction[4] >= 0 ? -1.0 : 1.0;  // ITK is LPS: +y is posterior

  m.voxel_mm = voxel_mm;
  Geometry g;
  g.spacing = {voxel_mm, voxel_mm, voxel_mm};
  g.direction = sg.direction;
  for (int d = 0; d < 3; ++d) {
    m.lo[d] = bmin[d] - kMarginMm;
    g.size[d] = size_t(std::ceil((bmax[d] + kMarginMm - m.lo[d]) / voxel_mm)) + 1;
  }
  for (int r = 0; r < 3; ++r) {  // physical origin of voxel 0: origin + D * u
    g.origin[r] = sg.origin[r];
    for (int c = 0; c < 3; ++c) g.origin[r] += sg.direction[r * 3 + c] * m.lo[c];
  }
  m.geom = g;

  FloatVolume brainf(sg);
  for (size_t s = 0; s < mask.data.size(); ++s) brainf.data[s] = mask.data[s];
  if (voxel_mm > h * 1.01) {
    const double sigma = 0.4 * voxel_mm;
    blur(src, sigma);
    blur(brainf, sigma);
  }
  m.t1 = FloatVolume(g);
  m.brain = FloatVolume(g);
  m.ventricle_dist = FloatVolume(g);
  m.depth = FloatVolume(g);
  for (size_t k = 0; k < g.size[2]; ++k)
    for (size_t j = 0; j < g.size[1]; ++j)
      for (size_t i = 0; i < g.size[0]; ++i) {
        Vec3 u = m.position(i, j, k);
        size_t s = m.t1.index(i, j, k);
        m.brain.data[s] = float(trilinear(brainf, u, src_lo, h));
        // Intensity normalised by the brain fraction, so the brain edge is not darkened twice
        // (once by the blur here, once by the subject's own partial volume).
        m.t1.data[s] = m.brain.data[s] > 0.05 ? float(trilinear(src, u, src_lo, h) / m.brain.data[s]) : 0.f;
        m.ventricle_dist.data[s] = float(trilinear(vdist, u, src_lo, h));
        m.depth.data[s] = float(trilinear(depth, u, src_lo, h));
      }
  return m;
}

}  // namespace p2l
