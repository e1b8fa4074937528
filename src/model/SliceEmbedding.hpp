#pragma once
// Sinusoidal embedding of the normalised slice position a = 100 z / Z (SPEC section 4).
#include <torch/torch.h>

namespace p2l {

// cond [N] -> [N, dim]: column 2i is sin(a f_i), column 2i+1 is cos(a f_i), with
// f_i = exp(-ln(base) * 2i / dim). `dim` must be even. Computed in float32 on cond's device.
torch::Tensor slice_embedding(const torch::Tensor& cond, int64_t dim, double base);

}  // namespace p2l
