#pragma once
// The intensity z-score baseline (no learning): voxel-wise mean and standard deviation of the
// healthy training volumes on the common preprocessed grid, and a subject's map
// |x - mean| / (std + eps). Every voxel of every training volume counts (0 outside its brain),
// so a voxel that is brain in few subjects gets a wide spread rather than a false alarm.
#include <vector>

#include "store/SubjectSlices.hpp"

namespace p2l {

struct VoxelStatistics {
  int depth = 0, height = 0, width = 0;
  std::vector<float> mean, std;  // Z*H*W, population standard deviation
};

// Sums over the training volumes one at a time, so fitting holds one volume, not the split.
class VoxelStatisticsAccumulator {
 public:
  // Throws naming the subject when its grid size differs from the first subject's.
  void add(const SubjectSlices& s);
  VoxelStatistics result() const;  // throws when nothing was added
 private:
  int depth_ = 0, height_ = 0, width_ = 0;
  size_t n_ = 0;
  std::vector<double> sum_, sum2_;
};

// The statistics of `healthy` (an accumulator over them); throws when it is empty or the
// subjects' grids differ in size (naming the subject).
VoxelStatistics fit_voxel_statistics(const std::vector<SubjectSlices>& healthy);

// |x - mean| / (std + eps) inside the subject's brain mask, 0 outside (Z*H*W); throws naming
// the subject when its grid size differs from the statistics'.
std::vector<float> zscore_map(const SubjectSlices& s, const VoxelStatistics& stats, double eps);

}  // namespace p2l
