#include "cohort/DistanceMap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace p2l {
namespace {

constexpr double kFar = 1e20;

// 1-D squared distance transform of f (n samples, spacing h) into d.
void transform_1d(const double* f, double* d, size_t n, double h, std::vector<int>& v,
                  std::vector<double>& z) {
  v.assign(n, 0);
  z.assign(n + 1, 0);
  int k = 0;
  v[0] = 0;
  z[0] = -std::numeric_limits<double>::infinity();
  z[1] = std::numeric_limits<double>::infinity();
  auto pos = [h](int i) { return h * i; };
  for (int q = 1; q < int(n); ++q) {
    auto meet = [&](int p) {
      return ((f[q] + pos(q) * pos(q)) - (f[p] + pos(p) * pos(p))) / (2 * (pos(q) - pos(p)));
    };
    double s = meet(v[k]);
    while (s <= z[k]) s = meet(v[--k]);  // z[0] = -inf stops the loop
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = std::numeric_limits<double>::infinity();
  }
  k = 0;
  for (int q = 0; q < int(n); ++q) {
    while (z[k + 1] < pos(q)) ++k;
    double dx = pos(q) - pos(v[k]);
    d[q] = dx * dx + f[v[k]];
  }
}

}  // namespace

FloatVolume distance_to(const LabelVolume& feature) {
  const auto& g = feature.geom;
  const size_t n[3] = {g.size[0], g.size[1], g.size[2]};
  std::vector<double> sq(g.voxels());
  for (size_t i = 0; i < sq.size(); ++i) sq[i] = feature.data[i] ? 0.0 : kFar;
  std::vector<double> line, out;
  std::vector<int> v;
  std::vector<double> z;
  const size_t stride[3] = {1, n[0], n[0] * n[1]};
  for (int axis = 0; axis < 3; ++axis) {
    const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    line.resize(n[axis]);
    out.resize(n[axis]);
    for (size_t p = 0; p < n[a1]; ++p)
      for (size_t q = 0; q < n[a2]; ++q) {
        size_t base = p * stride[a1] + q * stride[a2];
        for (size_t i = 0; i < n[axis]; ++i) line[i] = sq[base + i * stride[axis]];
        transform_1d(line.data(), out.data(), n[axis], g.spacing[axis], v, z);
        for (size_t i = 0; i < n[axis]; ++i) sq[base + i * stride[axis]] = out[i];
      }
  }
  FloatVolume d(g);
  for (size_t i = 0; i < sq.size(); ++i) d.data[i] = float(std::sqrt(std::min(sq[i], kFar)));
  return d;
}

}  // namespace p2l
