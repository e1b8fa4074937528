#pragma once
// Exact 3-D median filter and brain masking of heatmaps (SPEC section 6).
#include <functional>

#include "io/Volume.hpp"

namespace p2l {

// Median over the size^3 cube centred on each voxel (size odd), zero-padded outside the grid,
// so every window holds size^3 values and the median is one of them. `only` (may be null, same
// grid) restricts the work to voxels where it is non-zero; the others become 0. Parallel (TBB).
FloatVolume median_filter(const FloatVolume& in, int size, const LabelVolume* only = nullptr);

// Binary erosion by `radius` voxels with a (2 radius + 1)^3 cube (outside the grid counts as
// background). radius 0 returns the mask unchanged.
LabelVolume erode(const LabelVolume& mask, int radius);

// Sets the heatmap to 0 outside the mask.
void apply_mask(FloatVolume& heatmap, const LabelVolume& mask);

// The last stages of a map: median filter of `size`, then 0 outside `mask`. The evaluation
// runs the CPU one below or the device one of TensorMedianFilter.hpp (same result).
using MapFilter = std::function<FloatVolume(const FloatVolume& map, int size, const LabelVolume& mask)>;
FloatVolume filter_and_mask(const FloatVolume& map, int size, const LabelVolume& mask);

}  // namespace p2l
