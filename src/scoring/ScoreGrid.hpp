#pragma once
// Sliding-window score grid geometry (SPEC section 6): grid points y = g * stride for
// g = 0 .. ceil(H / stride) - 1 (likewise x), upsampled to every pixel on the device
// (GridUpsampling.hpp).
#include <string>
#include <vector>

#include "config/EvalChoices.hpp"
#include "io/Volume.hpp"

namespace p2l {

int grid_points(int side, int stride);  // ceil(side / stride)

// Raw per-component scores of one subject on its preprocessed grid, before filtering and
// masking: error = log(||mu - t||^2 + 1e-10), variance = mean(logvar); 0 where no patch was
// scored (no brain in the slice, or the patch failed the brain-fraction rule).
struct ScoreMaps {
  FloatVolume error;
  FloatVolume variance;
};

// The anomaly score of a component choice (kBoth: their sum).
FloatVolume combine_scores(const ScoreMaps& maps, ScoreComponent score);

}  // namespace p2l
