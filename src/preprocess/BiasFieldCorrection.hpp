#pragma once
// SPEC section 3 step 2: N4 bias-field correction fitted inside the brain mask.
#include "io/Volume.hpp"

namespace p2l {

// Corrects `img` in place; voxels outside the mask keep their values. Non-positive voxels inside
// the mask are lifted to a small positive value first (N4 works on the log intensity).
void n4_correct(FloatVolume& img, const LabelVolume& mask, int iterations, int levels);

}  // namespace p2l
