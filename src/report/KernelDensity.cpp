#include "report/KernelDensity.hpp"

#include <algorithm>
#include <cmath>

namespace p2l {

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

}  // namespace p2l
