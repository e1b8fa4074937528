#pragma once
// Nyul-Udupa histogram standardisation (SPEC section 3 step 3). Training: each training image's
// percentile landmarks (inside the mask) are mapped linearly so the first lands on 0 and the
// last on 100; the standard landmarks are their mean. Application: a piecewise-linear map sends
// an image's own landmarks onto the standard ones (end segments extrapolate).
#include <vector>

#include "io/Volume.hpp"

namespace p2l {

// The standard scale: element-wise mean of the rescaled landmark vectors. Throws when `per_image`
// is empty, the vectors differ in length, or an image's landmarks are flat.
std::vector<double> learn_standard_landmarks(const std::vector<std::vector<double>>& per_image);

// Maps `img` (inside and outside the mask) through the piecewise-linear function defined by
// own[k] -> standard[k]. `own` must be strictly increasing; else throws.
void apply_standardization(FloatVolume& img, const std::vector<double>& own,
                           const std::vector<double>& standard);

}  // namespace p2l
