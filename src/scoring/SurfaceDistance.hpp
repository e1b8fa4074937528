#pragma once
// Symmetric surface distances between binary volumes in mm (Hausdorff distance, SPEC section 7).
#include <vector>

#include "io/Volume.hpp"

namespace p2l {

// Exact squared Euclidean distance transform in mm^2 (Felzenszwalb-Huttenlocher, one pass per
// axis weighted by the spacing): the squared distance of every voxel to the nearest voxel
// with feature != 0; +infinity everywhere when there is no feature voxel.
std::vector<double> squared_distance_transform(const LabelVolume& feature);

// Surface voxels: foreground voxels with a 6-neighbour that is background (or outside the grid).
LabelVolume surface_of(const LabelVolume& binary);

struct Hausdorff {
  // As MONAI's HausdorffDistanceMetric(percentile=95, directed=False) with the voxel spacing:
  // the larger of the two directed 95th percentiles (linear interpolation) of the surface
  // distances, in mm.
  double hd95 = 0;
  double max = 0;   // the largest surface distance in either direction
};

// Both empty: 0 and 0. Exactly one empty: NaN and NaN (undefined; excluded from means).
Hausdorff hausdorff(const LabelVolume& a, const LabelVolume& b);

}  // namespace p2l
