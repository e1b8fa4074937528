#pragma once
// The statistics shared by preprocessing, scoring, the baselines and the report, one owner
// each: percentiles of order statistics, mean with standard deviation, Spearman's rank
// correlation. Outputs written before pin every function here bit for bit (preprocessed
// stores, thresholds, result tables, figures), so where two callers round differently both
// forms are kept, each under its own name, rather than one forced on the other.
#include <cstddef>
#include <vector>

namespace p2l {

// ---- Percentiles of sorted values ------------------------------------------------------------
// The q-th percentile (q in 0..100) of `sorted` (ascending) by linear interpolation between
// order statistics (numpy's default "linear" method): position p = q / 100 * (n - 1),
// lo = floor(p), hi = min(lo + 1, n - 1), t = p - lo. NaN for an empty input; float values are
// widened to double before any arithmetic. Two roundings of that one interpolation, equal up to
// the last bit or so, each pinned by its callers:
//   percentile_lerp:  x[lo] + t * (x[hi] - x[lo])   (threshold rules, Hausdorff distances)
//   percentile_blend: x[lo] * (1 - t) + x[hi] * t   (intensity scaling and histogram landmarks,
//                                                    the report's box plots and KDE ranges)
double percentile_lerp(const std::vector<double>& sorted, double q);
double percentile_lerp(const std::vector<float>& sorted, double q);
double percentile_blend(const std::vector<double>& sorted, double q);
double percentile_blend(const std::vector<float>& sorted, double q);
// The order statistics percentile q of n values interpolates (0-based ranks lo and hi, the
// weight t of hi; n > 0), and percentile_lerp's rounding of it: for callers that find the two
// order statistics without sorting every value.
struct PercentilePosition {
  size_t lo, hi;
  double t;
};
PercentilePosition percentile_position(size_t n, double q);
double lerp_between(double lo, double hi, double t);

// ---- Mean and standard deviation -------------------------------------------------------------
struct MeanStd {
  double mean = 0, std = 0;  // over the defined (non-NaN) values; population std
  size_t defined = 0, total = 0;
};

// From running sums over n values: mean = sum / n, std = sqrt(max(0, sum2 / n - mean * mean))
// (one pass; the clamp absorbs the rounding that can make the variance slightly negative);
// defined = total = n. NaN mean and std for n = 0.
MeanStd mean_std_from_sums(double sum, double sum2, size_t n);
// Over the non-NaN values of `v` (one pass, as mean_std_from_sums); NaN mean and std when none
// is defined; total = v.size().
MeanStd mean_std(const std::vector<double>& v);
// The sample standard deviation (divisor n - 1, two passes: the mean first); 0 for fewer than
// 2 values.
double sample_std(const std::vector<double>& v);

// ---- Rank correlation ------------------------------------------------------------------------
// Spearman rank correlation (average ranks for ties); NaN with fewer than 2 points, inputs of
// different lengths or a constant input.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace p2l
