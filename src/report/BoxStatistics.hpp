#pragma once
// The numbers a Tukey box plot draws (BoxPlotFigures).
#include <cstddef>
#include <vector>

namespace p2l {

struct BoxStats {
  size_t n = 0;  // finite values
  double q1 = 0, median = 0, q3 = 0, whisker_lo = 0, whisker_hi = 0;
  std::vector<double> outliers;
};
// Quartiles by linear interpolation between order statistics; NaNs ignored. Whiskers reach the
// most extreme values within 1.5 IQR of the box; the values beyond are the outliers. NaN
// quartiles and whiskers when no value is finite.
BoxStats box_stats(std::vector<double> v);

}  // namespace p2l
