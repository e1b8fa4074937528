#include "report/BoxStatistics.hpp"

#include <algorithm>
#include <cmath>

#include "io/Statistics.hpp"

namespace p2l {
namespace {

std::vector<double> finite(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  return out;
}

}  // namespace

BoxStats box_stats(std::vector<double> v) {
  v = finite(v);
  std::sort(v.begin(), v.end());
  BoxStats b;
  b.n = v.size();
  if (v.empty()) {
    b.q1 = b.median = b.q3 = b.whisker_lo = b.whisker_hi = NAN;
    return b;
  }
  b.q1 = percentile_blend(v, 25), b.median = percentile_blend(v, 50), b.q3 = percentile_blend(v, 75);
  const double iqr = b.q3 - b.q1, lo = b.q1 - 1.5 * iqr, hi = b.q3 + 1.5 * iqr;
  b.whisker_lo = b.q1, b.whisker_hi = b.q3;
  for (double x : v) {
    if (x < lo || x > hi) b.outliers.push_back(x);
    else b.whisker_lo = std::min(b.whisker_lo, x), b.whisker_hi = std::max(b.whisker_hi, x);
  }
  return b;
}

}  // namespace p2l
