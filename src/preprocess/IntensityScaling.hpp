#pragma once
// SPEC section 3 step 5: clip to percentiles of the brain and map them to [0, 1].
#include <vector>

#include "io/Volume.hpp"

namespace p2l {

// Percentiles (0..100) of the image inside the mask, linearly interpolated between order
// statistics (numpy's default). Throws when the mask is empty.
std::vector<double> percentiles_in_mask(const FloatVolume& img, const LabelVolume& mask,
                                        const std::vector<double>& percentiles);

// Clips to [P(p_lo), P(p_hi)] inside the mask, rescales that range to [0, 1] and zeroes every
// voxel outside the mask. A flat brain (P(p_lo) == P(p_hi)) maps to 0.
void clip_and_rescale(FloatVolume& img, const LabelVolume& mask, double p_lo, double p_hi);

// Sets voxels outside the mask to 0.
void zero_outside(FloatVolume& img, const LabelVolume& mask);

}  // namespace p2l
