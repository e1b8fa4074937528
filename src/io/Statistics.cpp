#include "io/Statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace p2l {
namespace {

template <class T>
double lerp_at(const std::vector<T>& s, double q) {
  if (s.empty()) return NAN;
  const PercentilePosition p = percentile_position(s.size(), q);
  return lerp_between(double(s[p.lo]), double(s[p.hi]), p.t);
}

template <class T>
double blend_at(const std::vector<T>& s, double q) {
  if (s.empty()) return NAN;
  const PercentilePosition p = percentile_position(s.size(), q);
  return double(s[p.lo]) * (1 - p.t) + double(s[p.hi]) * p.t;
}

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> o(v.size());
  std::iota(o.begin(), o.end(), size_t(0));
  std::sort(o.begin(), o.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < o.size();) {
    size_t j = i;
    while (j < o.size() && v[o[j]] == v[o[i]]) ++j;
    for (size_t k = i; k < j; ++k) r[o[k]] = (double(i) + double(j - 1)) / 2.0 + 1.0;
    i = j;
  }
  return r;
}

}  // namespace

PercentilePosition percentile_position(size_t n, double q) {
  const double pos = q / 100.0 * double(n - 1);
  const size_t lo = size_t(std::floor(pos));
  return {lo, std::min(lo + 1, n - 1), pos - double(lo)};
}

double lerp_between(double lo, double hi, double t) { return lo + t * (hi - lo); }

double percentile_lerp(const std::vector<double>& sorted, double q) { return lerp_at(sorted, q); }
double percentile_lerp(const std::vector<float>& sorted, double q) { return lerp_at(sorted, q); }
double percentile_blend(const std::vector<double>& sorted, double q) { return blend_at(sorted, q); }
double percentile_blend(const std::vector<float>& sorted, double q) { return blend_at(sorted, q); }

MeanStd mean_std_from_sums(double sum, double sum2, size_t n) {
  if (n == 0) return {NAN, NAN, 0, 0};
  MeanStd m;
  m.defined = m.total = n;
  m.mean = sum / double(n);
  m.std = std::sqrt(std::max(0.0, sum2 / double(n) - m.mean * m.mean));
  return m;
}

MeanStd mean_std(const std::vector<double>& v) {
  double sum = 0, sum2 = 0;
  size_t defined = 0;
  for (double x : v)
    if (!std::isnan(x)) sum += x, sum2 += x * x, ++defined;
  MeanStd m = mean_std_from_sums(sum, sum2, defined);
  m.total = v.size();
  return m;
}

double sample_std(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= double(v.size());
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2 || x.size() != y.size()) return NAN;
  const std::vector<double> a = average_ranks(x), b = average_ranks(y);
  const double n = double(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i)
    sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma), sbb += (b[i] - mb) * (b[i] - mb);
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : NAN;
}

}  // namespace p2l
