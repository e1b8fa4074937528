// The ITK-based optional steps on small synthetic volumes: N4 removes a smooth multiplicative
// bias inside the mask and leaves the background alone; curvature flow reduces noise and keeps
// the background at 0.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "preprocess/BiasFieldCorrection.hpp"
#include "preprocess/CurvatureFlowDenoiser.hpp"

namespace p2l {
namespace {

// Coefficient of variation inside the mask.
double cv_inside(const FloatVolume& v, const LabelVolume& m) {
  double s = 0, s2 = 0, n = 0;
  for (size_t i = 0; i < v.data.size(); ++i)
    if (m.data[i]) {
      s += v.data[i];
      s2 += double(v.data[i]) * v.data[i];
      ++n;
    }
  double mean = s / n;
  return std::sqrt(s2 / n - mean * mean) / mean;
}

struct Phantom {
  FloatVolume img;
  LabelVolume mask;
};

// A flat "brain" of 100 in a 32 x 32 x 12 grid with a border of background.
Phantom phantom(double bias_strength, double noise) {
  Geometry g;
  g.size = {32, 32, 12};
  Phantom p{FloatVolume(g, 0.f), LabelVolume(g, 0)};
  std::mt19937 rng(7);
  std::normal_distribution<float> n(0.f, float(noise));
  for (size_t k = 0; k < 12; ++k)
    for (size_t j = 0; j < 32; ++j)
      for (size_t i = 0; i < 32; ++i) {
        bool inside = i >= 4 && i < 28 && j >= 4 && j < 28 && k >= 2 && k < 10;
        if (!inside) {
          p.img.at(i, j, k) = 3.f;
          continue;
        }
        p.mask.at(i, j, k) = 1;
        double bias = 1.0 + bias_strength * (double(i) / 31.0 - 0.5);  // linear ramp in i
        p.img.at(i, j, k) = float(100.0 * bias) + n(rng);
      }
  return p;
}

TEST(PreprocessN4, RemovesASmoothBiasInsideTheMask) {
  Phantom p = phantom(0.6, 0.0);
  double before = cv_inside(p.img, p.mask);
  n4_correct(p.img, p.mask, 20, 2);
  double after = cv_inside(p.img, p.mask);
  EXPECT_GT(before, 0.1);
  EXPECT_LT(after, before * 0.5);
  EXPECT_FLOAT_EQ(p.img.at(0, 0, 0), 3.f);  // background untouched
}

TEST(PreprocessCurvatureFlow, SmoothsNoiseAndZeroesBackground) {
  Phantom p = phantom(0.0, 10.0);
  double before = cv_inside(p.img, p.mask);
  curvature_flow(p.img, p.mask, 5, 0.0625);
  double after = cv_inside(p.img, p.mask);
  EXPECT_LT(after, before * 0.8);
  EXPECT_FLOAT_EQ(p.img.at(0, 0, 0), 0.f);
}

}  // namespace
}  // namespace p2l
