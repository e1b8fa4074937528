#include "model/SliceEmbedding.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace p2l {

torch::Tensor slice_embedding(const torch::Tensor& cond, int64_t dim, double base) {
  if (dim <= 0 || dim % 2 != 0)
    throw std::runtime_error("model.widths: the slice embedding needs an even feature size, got " +
                             std::to_string(dim));
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(cond.device());
  auto i = torch::arange(dim / 2, opts);
  auto freq = torch::exp(i * (-2.0 * std::log(base) / double(dim)));   // [dim/2]
  auto angle = cond.to(torch::kFloat32).reshape({-1, 1}) * freq;       // [N, dim/2]
  // Interleave: stacking on a last axis of 2 then flattening puts sin at even, cos at odd columns.
  return torch::stack({torch::sin(angle), torch::cos(angle)}, 2).reshape({angle.size(0), dim});
}

}  // namespace p2l
