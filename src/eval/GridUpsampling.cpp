#include "eval/GridUpsampling.hpp"

#include <ATen/ATen.h>

#include <stdexcept>

namespace p2l {
namespace {

// One axis' interpolation: the two grid points around each pixel and the weight of the second.
struct AxisWeights {
  at::Tensor g0, g1, f;
};

AxisWeights axis_weights(int64_t pixels, int64_t points, int stride, const at::TensorOptions& opt) {
  auto pixel = at::arange(pixels, opt.dtype(at::kLong));
  auto g0 = at::clamp_max(at::div(pixel, stride, "floor"), points - 1);
  auto g1 = at::clamp_max(g0 + 1, points - 1);
  auto f = (pixel - g0 * stride).to(at::kFloat) / float(stride);
  return {g0, g1, at::where(g1.eq(g0), at::zeros_like(f), f)};
}

}  // namespace

at::Tensor upsample_grid(const at::Tensor& grid, int stride, int64_t height, int64_t width) {
  if (grid.dim() != 3 || stride < 1) throw std::runtime_error("upsample_grid: needs a [Z, gh, gw] grid and stride >= 1");
  const auto opt = grid.options();
  AxisWeights y = axis_weights(height, grid.size(1), stride, opt), x = axis_weights(width, grid.size(2), stride, opt);
  auto rows0 = grid.index_select(1, y.g0), rows1 = grid.index_select(1, y.g1);
  auto a = rows0.index_select(2, x.g0), b = rows0.index_select(2, x.g1);
  auto c = rows1.index_select(2, x.g0), d = rows1.index_select(2, x.g1);
  auto fy = y.f.view({1, -1, 1}), fx = x.f.view({1, 1, -1});
  return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
}

}  // namespace p2l
