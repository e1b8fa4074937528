#pragma once
// Multi-scale Patch2Loc (docs/EVALUATION.md "Multi-scale"): the maps of one subject under
// checkpoints of different patch sizes, fused into one map. Each scale's map is first put on a
// common footing by statistics of the healthy reference volumes, globally (MapStats, as the
// two-source fusion) or voxel by voxel (all volumes share the preprocessed grid).
#include <vector>

#include "config/EvalChoices.hpp"
#include "scoring/Fusion.hpp"

namespace p2l {

// One scale's healthy statistics: global (with the sorted values, for the Fisher rule) and per
// voxel (mean and a deviation floored at `floor` x the global deviation; a voxel that fewer than
// two reference volumes cover gets the global mean and deviation).
struct ScaleStats {
  MapStats global;
  std::vector<float> voxel_mean, voxel_std;
  double voxel_z(size_t i, double x) const { return (x - voxel_mean[i]) / voxel_std[i]; }
};

class ScaleStatsAccumulator {
 public:
  explicit ScaleStatsAccumulator(double voxel_std_floor) : floor_(voxel_std_floor), global_(true) {}
  // Every volume on the same grid; throws otherwise.
  void add(const FloatVolume& map, const LabelVolume& mask);
  ScaleStats result() const;  // throws when nothing was added

 private:
  double floor_;
  MapStatsAccumulator global_;
  std::vector<double> sum_, sum2_;
  std::vector<int> count_;
};

// The fused map: per in-mask voxel i, with z_s = stats[s].global.z(maps[s][i]),
//   mean_z: mean over s of z_s;   mean_voxel_z: mean over s of stats[s].voxel_z(i, maps[s][i]);
//   max_z: max over s of z_s;     fisher: sum over s of stats[s].global.surprise(maps[s][i]);
// 0 outside `mask`. Throws unless there are as many maps as stats, on one grid.
FloatVolume fuse_scales(const std::vector<FloatVolume>& maps, const LabelVolume& mask, MultiScaleRule rule,
                        const std::vector<ScaleStats>& stats);

// A setting that follows the patch size: `value` (the reference scale's) x `ratio` (this scale's
// patch fraction / the reference's), rounded to the nearest integer (the nearest odd one with
// `odd`, ties upwards), at least 1.
int follow_patch_size(int value, double ratio, bool odd);

}  // namespace p2l
