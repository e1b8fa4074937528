#pragma once
// Exact Euclidean distance transform (Felzenszwalb and Huttenlocher), used to find ventricle
// neighbourhoods (MS, WMH) and depth below the brain surface (tumour and stroke placement).
#include <cstdint>
#include <vector>

#include "io/Volume.hpp"

namespace p2l {

// Distance in mm from every voxel to the nearest voxel where `feature` is non-zero (0 on the
// feature itself). Uses the grid spacing; a volume without feature voxels gives a large value.
FloatVolume distance_to(const LabelVolume& feature);

}  // namespace p2l
