#pragma once
// The score grid (ScoreGrid.hpp) upsampled to every pixel on the grid's device: bilinear
// interpolation between neighbouring grid points, clamped past the last grid point.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace p2l {

// grid [Z, gh, gw] float -> [Z, height, width]; grid point g sits at pixel g * stride. With
// stride 1 and a grid of the full size, a copy.
at::Tensor upsample_grid(const at::Tensor& grid, int stride, int64_t height, int64_t width);

}  // namespace p2l
