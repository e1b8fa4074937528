#include "scoring/SurfaceDistance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "io/Statistics.hpp"

namespace p2l {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Lower envelope of parabolas s2 * (q - p)^2 + f(p) over one line of n samples with stride
// `step` (Felzenszwalb & Huttenlocher 2012), in place.
void edt_line(double* d, size_t n, size_t step, double s2, std::vector<double>& f,
              std::vector<size_t>& v, std::vector<double>& z) {
  f.resize(n);
  v.resize(n);
  z.resize(n + 1);
  for (size_t i = 0; i < n; ++i) f[i] = d[i * step];
  size_t k = 0;
  bool any = false;
  for (size_t q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    if (!any) {
      v[0] = q, z[0] = -kInf, z[1] = kInf, any = true;
      continue;
    }
    // z[0] = -inf stops the loop at k = 0.
    double s;
    for (;; --k) {
      const double p = double(v[k]);
      s = ((f[q] + s2 * double(q) * double(q)) - (f[v[k]] + s2 * p * p)) / (2 * s2 * (double(q) - p));
      if (s > z[k]) break;
    }
    ++k;
    v[k] = q, z[k] = s, z[k + 1] = kInf;
  }
  if (!any) return;  // the whole line stays infinite
  k = 0;
  for (size_t q = 0; q < n; ++q) {
    while (z[k + 1] < double(q)) ++k;
    const double dq = double(q) - double(v[k]);
    d[q * step] = s2 * dq * dq + f[v[k]];
  }
}

}  // namespace

std::vector<double> squared_distance_transform(const LabelVolume& feature) {
  const auto& sz = feature.geom.size;
  std::vector<double> d(feature.data.size());
  for (size_t i = 0; i < d.size(); ++i) d[i] = feature.data[i] ? 0.0 : kInf;
  std::vector<double> f, z;
  std::vector<size_t> v;
  const size_t steps[3] = {1, sz[0], sz[0] * sz[1]};
  for (int axis = 0; axis < 3; ++axis) {
    const double s2 = feature.geom.spacing[axis] * feature.geom.spacing[axis];
    const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    for (size_t u = 0; u < sz[a1]; ++u)
      for (size_t w = 0; w < sz[a2]; ++w)
        edt_line(d.data() + u * steps[a1] + w * steps[a2], sz[axis], steps[axis], s2, f, v, z);
  }
  return d;
}

LabelVolume surface_of(const LabelVolume& b) {
  LabelVolume s(b.geom, 0);
  const auto& sz = b.geom.size;
  for (size_t k = 0; k < sz[2]; ++k)
    for (size_t j = 0; j < sz[1]; ++j)
      for (size_t i = 0; i < sz[0]; ++i) {
        if (!b.at(i, j, k)) continue;
        const bool edge = i == 0 || j == 0 || k == 0 || i + 1 == sz[0] || j + 1 == sz[1] ||
                          k + 1 == sz[2] || !b.at(i - 1, j, k) || !b.at(i + 1, j, k) ||
                          !b.at(i, j - 1, k) || !b.at(i, j + 1, k) || !b.at(i, j, k - 1) ||
                          !b.at(i, j, k + 1);
        s.at(i, j, k) = edge;
      }
  return s;
}

Hausdorff hausdorff(const LabelVolume& a, const LabelVolume& b) {
  const bool ea = std::none_of(a.data.begin(), a.data.end(), [](uint8_t x) { return x; });
  const bool eb = std::none_of(b.data.begin(), b.data.end(), [](uint8_t x) { return x; });
  if (ea && eb) return {0.0, 0.0};
  if (ea || eb) return {NAN, NAN};
  const LabelVolume sa = surface_of(a), sb = surface_of(b);
  const std::vector<double> da = squared_distance_transform(sa), db = squared_distance_transform(sb);
  std::vector<double> a_to_b, b_to_a;
  for (size_t i = 0; i < sa.data.size(); ++i) {
    if (sa.data[i]) a_to_b.push_back(std::sqrt(db[i]));
    if (sb.data[i]) b_to_a.push_back(std::sqrt(da[i]));
  }
  Hausdorff h;
  h.max = std::max(*std::max_element(a_to_b.begin(), a_to_b.end()), *std::max_element(b_to_a.begin(), b_to_a.end()));
  // MONAI's HausdorffDistanceMetric(percentile=95): the larger directed percentile. Pooling
  // both directions first would let the shorter direction pull the value down.
  std::sort(a_to_b.begin(), a_to_b.end()), std::sort(b_to_a.begin(), b_to_a.end());
  h.hd95 = std::max(percentile_lerp(a_to_b, 95.0), percentile_lerp(b_to_a, 95.0));
  return h;
}

}  // namespace p2l
