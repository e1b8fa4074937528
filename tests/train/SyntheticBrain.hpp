#pragma once
// Small structured "brain-like" subjects for training tests: an elliptical brain whose extent
// shrinks away from the middle slice, with an intensity ramp along both axes, a bright rim and
// two dark "ventricles", so a patch's location is learnable. No store is needed.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "store/SubjectSlices.hpp"

namespace p2l::testing {

inline SubjectSlices synthetic_subject(const std::string& id, int depth, int side, unsigned seed) {
  SubjectSlices s;
  s.id = id;
  s.split = "synthetic";
  s.depth = depth;
  s.height = s.width = side;
  s.image.assign(size_t(depth) * side * side, 0.f);
  s.mask.assign(s.image.size(), 0);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.f, 0.02f);
  std::uniform_real_distribution<double> jitter(-0.04, 0.04);
  const double cy = side * (0.5 + jitter(rng)), cx = side * (0.5 + jitter(rng));
  for (int z = 0; z < depth; ++z) {
    double zz = (z + 0.5) / depth - 0.5;
    double ry = side * 0.45 * std::sqrt(std::max(0.2, 1 - 2.5 * zz * zz));
    double rx = ry * 0.8;
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x) {
        double dy = (y - cy) / ry, dx = (x - cx) / rx, r = std::sqrt(dy * dy + dx * dx);
        if (r > 1) continue;
        double v = 0.25 + 0.35 * y / side + 0.2 * x / side;
        if (r > 0.8) v += 0.3;  // rim
        double vy = (y - (cy - 0.1 * side)) / (0.12 * side);
        double vl = (x - (cx - 0.12 * side)) / (0.06 * side), vr = (x - (cx + 0.12 * side)) / (0.06 * side);
        if (vy * vy + vl * vl < 1 || vy * vy + vr * vr < 1) v = 0.05;  // ventricles
        size_t i = (size_t(z) * side + y) * side + x;
        s.image[i] = float(std::min(1.0, std::max(0.0, v + noise(rng))));
        s.mask[i] = 1;
      }
  }
  s.geom.size = {size_t(side), size_t(side), size_t(depth)};
  return s;
}

inline std::vector<SubjectSlices> synthetic_split(const std::string& prefix, int count,
                                                  unsigned seed, int depth = 8, int side = 32) {
  std::vector<SubjectSlices> v;
  for (int i = 0; i < count; ++i)
    v.push_back(synthetic_subject(prefix + std::to_string(i), depth, side, seed + i));
  return v;
}

// A fast configuration for 32 x 32 slices: 8-pixel patches, small batches, frequent checkpoints.
inline Config small_training_config(const std::string& output_dir) {
  Config c;
  c.run.output_dir = output_dir;
  c.run.seed = 7;
  c.train.patch_fraction = 0.25;
  c.train.slices_per_step = 4;
  c.train.patches_per_step = 32;
  c.train.val_patches = 64;
  c.train.steps = 6;
  c.train.val_every = 2;
  c.train.checkpoint_every = 2;
  c.train.log_every = 2;
  c.train.density_every = 3;
  c.train.device = DeviceRequest::kCpu;
  // The tests compare with fp32 references; auto would train in bf16 on CPUs with native bf16.
  c.train.precision = Precision::kFp32;
  return c;
}

}  // namespace p2l::testing
