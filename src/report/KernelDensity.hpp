#pragma once
// Gaussian kernel density estimates on regular grids, and the density levels that enclose a
// given share of the mass (the KDE figure's contours). Each point's kernel is cut off at 4
// bandwidths.
#include <vector>

namespace p2l {

// Gaussian KDE on an n x n grid (points at x0 + (x1 - x0) i / (n - 1)), [ix][iy], normalised.
std::vector<double> kde_2d(const std::vector<double>& x, const std::vector<double>& y, double x0, double x1,
                           double y0, double y1, int n, double bx, double by);

// Gaussian KDE on n points from x0 to x1 (as kde_2d along one axis), normalised.
std::vector<double> kde_1d(const std::vector<double>& x, double x0, double x1, int n, double bw);

// Density thresholds whose super-level sets hold the given fractions of the grid's mass.
std::vector<double> mass_levels(const std::vector<double>& f, const std::vector<double>& masses);

}  // namespace p2l
