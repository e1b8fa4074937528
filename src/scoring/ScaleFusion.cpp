#include "scoring/ScaleFusion.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/Statistics.hpp"

namespace p2l {

void ScaleStatsAccumulator::add(const FloatVolume& map, const LabelVolume& mask) {
  if (sum_.empty()) sum_.assign(map.data.size(), 0.0), sum2_.assign(map.data.size(), 0.0), count_.assign(map.data.size(), 0);
  if (map.data.size() != sum_.size() || mask.data.size() != sum_.size())
    throw std::runtime_error("multi-scale statistics: the healthy reference volumes are not on one grid");
  global_.add(map, mask);
  for (size_t i = 0; i < map.data.size(); ++i) {
    if (!mask.data[i]) continue;
    const double x = map.data[i];
    sum_[i] += x, sum2_[i] += x * x, ++count_[i];
  }
}

ScaleStats ScaleStatsAccumulator::result() const {
  ScaleStats s;
  s.global = global_.result();
  const double floor = floor_ * s.global.std;
  s.voxel_mean.resize(sum_.size());
  s.voxel_std.resize(sum_.size());
  for (size_t i = 0; i < sum_.size(); ++i) {
    if (count_[i] < 2) {
      s.voxel_mean[i] = float(s.global.mean), s.voxel_std[i] = float(s.global.std > 0 ? s.global.std : 1.0);
      continue;
    }
    const MeanStd m = mean_std_from_sums(sum_[i], sum2_[i], size_t(count_[i]));
    s.voxel_mean[i] = float(m.mean);
    const double sd = std::max(m.std, floor);
    s.voxel_std[i] = float(sd > 0 ? sd : 1.0);
  }
  return s;
}

FloatVolume fuse_scales(const std::vector<FloatVolume>& maps, const LabelVolume& mask, MultiScaleRule rule,
                        const std::vector<ScaleStats>& stats) {
  if (maps.empty() || maps.size() != stats.size())
    throw std::runtime_error("multi-scale fusion: " + std::to_string(maps.size()) + " maps for " +
                             std::to_string(stats.size()) + " scales");
  for (const auto& m : maps)
    if (m.data.size() != mask.data.size()) throw std::runtime_error("multi-scale fusion: maps on different grids");
  if (rule == MultiScaleRule::kMeanVoxelZ)
    for (const auto& s : stats)
      if (s.voxel_mean.size() != mask.data.size())
        throw std::runtime_error("multi-scale fusion: voxel statistics on another grid");
  FloatVolume out(mask.geom, 0.0f);
  const double n = double(maps.size());
  for (size_t i = 0; i < mask.data.size(); ++i) {
    if (!mask.data[i]) continue;
    double v = rule == MultiScaleRule::kMaxZ ? -INFINITY : 0.0;
    for (size_t s = 0; s < maps.size(); ++s) {
      const double x = maps[s].data[i];
      switch (rule) {
        case MultiScaleRule::kMeanZ: v += stats[s].global.z(x) / n; break;
        case MultiScaleRule::kMeanVoxelZ: v += stats[s].voxel_z(i, x) / n; break;
        case MultiScaleRule::kMaxZ: v = std::max(v, stats[s].global.z(x)); break;
        case MultiScaleRule::kFisher: v += stats[s].global.surprise(x); break;
      }
    }
    out.data[i] = float(v);
  }
  return out;
}

int follow_patch_size(int value, double ratio, bool odd) {
  const double x = double(value) * ratio;
  int r = odd ? 2 * int(std::floor((x - 1) / 2 + 0.5)) + 1 : int(std::lround(x));
  return std::max(r, 1);
}

}  // namespace p2l
