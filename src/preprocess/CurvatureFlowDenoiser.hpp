#pragma once
// SPEC section 3 step 6: curvature-flow denoising (edge-preserving smoothing).
#include "io/Volume.hpp"

namespace p2l {

// Smooths `img` in place with itk::CurvatureFlowImageFilter, then zeroes voxels outside the
// mask again (the flow spreads brain intensities into the background).
void curvature_flow(FloatVolume& img, const LabelVolume& mask, int iterations, double time_step);

}  // namespace p2l
