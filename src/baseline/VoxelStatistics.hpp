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

// Throws when `healthy` is empty or the subjects' grids differ in size (naming the subject).
VoxelStatistics fit_voxel_statistics(const std::vector<SubjectSlices>& healthy);

// |x - mean| / (std + eps) inside the subject's brain mask, 0 outside (Z*H*W); throws naming
// the subject when its grid size differs from the statistics'.
std::vector<float> zscore_map(const SubjectSlices& s, const VoxelStatistics& stats, double eps);

}  // namespace p2l
