#pragma once
// A smooth random scalar field: unit-variance normal values on a lattice of spacing `scale_mm`,
// interpolated with cubic B-splines. C2-smooth, so deformations built from it stay smooth and
// invertible for moderate amplitudes; value noise rather than a few sine waves, so it does not
// look periodic.
#include <array>
#include <cstddef>
#include <vector>

namespace p2l {

class Rng;

using Vec3 = std::array<double, 3>;

class SmoothField {
 public:
  SmoothField() = default;
  // Covers the box [lo, hi] (mm); values have roughly unit standard deviation.
  SmoothField(Rng& rng, const Vec3& lo, const Vec3& hi, double scale_mm);

  double sample(const Vec3& u) const;
  // The field on a regular grid u = origin + spacing * (i, j, k), i fastest (Volume order).
  std::vector<float> on_grid(const std::array<size_t, 3>& n, const Vec3& origin, double spacing) const;

 private:
  Vec3 lo_{};
  double scale_ = 1;
  std::array<int, 3> dims_{};
  std::vector<float> coef_;
};

}  // namespace p2l
