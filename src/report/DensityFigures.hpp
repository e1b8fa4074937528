#pragma once
// The joint density of two per-point quantities in groups (paper Fig. 3: error against
// variance, normal against lesion points).
#include <cstddef>
#include <string>
#include <vector>

#include "report/FigureFiles.hpp"

namespace p2l {

struct ScatterGroup {
  std::string name;
  std::vector<double> x, y;  // the points the density is estimated from (may be a subsample)
  double spearman = 0;       // rho of the group (over all its points), shown in the legend
  size_t count = 0;          // points in the group before subsampling (0: x.size()), in the legend
};

// A 2-D Gaussian KDE per group (Scott's bandwidth) on a shared range (0.5th to 99.5th
// percentile of the pooled points, padded): filled contours enclosing 25/50/75/95 % of each
// group's density in the group's colour, 1-D KDEs of x on top and of y on the right, a legend
// with each group's n and rho. Groups with fewer than 2 points appear in the legend only.
FigureFiles plot_kde(const std::string& base, const std::vector<ScatterGroup>& groups, const std::string& x_label,
                     const std::string& y_label, const std::string& title);

}  // namespace p2l
