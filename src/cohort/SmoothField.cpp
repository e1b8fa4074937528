#include "cohort/SmoothField.hpp"

#include <algorithm>
#include <cmath>

#include "cohort/Rng.hpp"

namespace p2l {
namespace {

// Standard deviation of a cubic B-spline interpolation of unit white noise in 3-D:
// (mean over offsets of the sum of squared 1-D weights = 151/315) ^ (3/2).
constexpr double kSplineStd = 0.33189;

struct Taps {
  int base;  // index of the first of four lattice nodes
  double w[4];
};

Taps taps(double t, int dim) {
  double f = std::floor(t);
  double x = t - f;
  Taps tp;
  tp.base = std::clamp(int(f) - 1, 0, dim - 4);
  double x2 = x * x, x3 = x2 * x;
  tp.w[0] = (1 - 3 * x + 3 * x2 - x3) / 6;
  tp.w[1] = (4 - 6 * x2 + 3 * x3) / 6;
  tp.w[2] = (1 + 3 * x + 3 * x2 - 3 * x3) / 6;
  tp.w[3] = x3 / 6;
  return tp;
}

}  // namespace

SmoothField::SmoothField(Rng& rng, const Vec3& lo, const Vec3& hi, double scale_mm)
    : lo_(lo), scale_(scale_mm) {
  size_t n = 1;
  for (int d = 0; d < 3; ++d) {
    // Two spare nodes on each side so every point of the box has four taps.
    dims_[d] = int(std::ceil((hi[d] - lo[d]) / scale_mm)) + 5;
    n *= size_t(dims_[d]);
  }
  coef_.resize(n);
  for (auto& c : coef_) c = float(rng.normal() / kSplineStd);
}

double SmoothField::sample(const Vec3& u) const {
  Taps t[3];
  for (int d = 0; d < 3; ++d) t[d] = taps((u[d] - lo_[d]) / scale_ + 2.0, dims_[d]);
  double s = 0;
  for (int c = 0; c < 4; ++c)
    for (int b = 0; b < 4; ++b) {
      const float* row = &coef_[(size_t(t[2].base + c) * dims_[1] + (t[1].base + b)) * dims_[0] + t[0].base];
      double r = row[0] * t[0].w[0] + row[1] * t[0].w[1] + row[2] * t[0].w[2] + row[3] * t[0].w[3];
      s += r * t[1].w[b] * t[2].w[c];
    }
  return s;
}

std::vector<float> SmoothField::on_grid(const std::array<size_t, 3>& n, const Vec3& origin,
                                        double spacing) const {
  // Separable evaluation: one axis at a time, so the cost is a few taps per output voxel.
  std::array<std::vector<Taps>, 3> tp;
  for (int d = 0; d < 3; ++d)
    for (size_t i = 0; i < n[d]; ++i)
      tp[d].push_back(taps((origin[d] + spacing * double(i) - lo_[d]) / scale_ + 2.0, dims_[d]));
  const size_t d0 = dims_[0], d1 = dims_[1], d2 = dims_[2];
  std::vector<float> a(n[0] * d1 * d2), b(n[0] * n[1] * d2), out(n[0] * n[1] * n[2]);
  for (size_t z = 0; z < d2; ++z)
    for (size_t y = 0; y < d1; ++y)
      for (size_t x = 0; x < n[0]; ++x) {
        const Taps& t = tp[0][x];
        const float* c = &coef_[(z * d1 + y) * d0 + t.base];
        a[(z * d1 + y) * n[0] + x] = float(c[0] * t.w[0] + c[1] * t.w[1] + c[2] * t.w[2] + c[3] * t.w[3]);
      }
  for (size_t z = 0; z < d2; ++z)
    for (size_t y = 0; y < n[1]; ++y) {
      const Taps& t = tp[1][y];
      for (size_t x = 0; x < n[0]; ++x) {
        double s = 0;
        for (int k = 0; k < 4; ++k) s += t.w[k] * a[(z * d1 + t.base + k) * n[0] + x];
        b[(z * n[1] + y) * n[0] + x] = float(s);
      }
    }
  for (size_t z = 0; z < n[2]; ++z) {
    const Taps& t = tp[2][z];
    for (size_t y = 0; y < n[1]; ++y)
      for (size_t x = 0; x < n[0]; ++x) {
        double s = 0;
        for (int k = 0; k < 4; ++k) s += t.w[k] * b[((t.base + k) * n[1] + y) * n[0] + x];
        out[(z * n[1] + y) * n[0] + x] = float(s);
      }
  }
  return out;
}

}  // namespace p2l
