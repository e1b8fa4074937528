#pragma once
// Patch extraction as one vectorised gather on the tensors' device (SPEC sections 5 and 6).
// A patch of side p centred at (y, x) spans rows y - p/2 .. y - p/2 + p - 1 (likewise columns)
// of the slice zero-padded by p/2, multiplied by the brain mask.
#include <torch/torch.h>

#include <cstdint>

namespace p2l {

struct PatchSet {
  torch::Tensor patches;         // [N, 1, p, p] float, masked
  torch::Tensor brain_fraction;  // [N] float, fraction of patch pixels inside the mask
};

// slices [S, H, W] float, masks [S, H, W] (uint8 or float 0/1), slice_index [N] int64 into S,
// cy, cx [N] int64 centre row/column. Pixels outside the slice are zero.
PatchSet extract_patches(const torch::Tensor& slices, const torch::Tensor& masks,
                         const torch::Tensor& slice_index, const torch::Tensor& cy,
                         const torch::Tensor& cx, int64_t p);

// Only the brain fraction of the same patches (gathers the mask alone; used to screen candidates).
torch::Tensor patch_brain_fraction(const torch::Tensor& masks, const torch::Tensor& slice_index,
                                   const torch::Tensor& cy, const torch::Tensor& cx, int64_t p);

// The brain fraction of the patch centred at every stride-th pixel of every slice, as a
// [S, gh, gw] float grid (gh = ceil(H / stride)): one box filter over the zero-padded masks
// instead of a gather per patch; equal to patch_brain_fraction at those centres.
torch::Tensor grid_brain_fraction(const torch::Tensor& masks, int64_t p, int64_t stride);

// floor(f * side), at least 1 (a tiny epsilon absorbs round-off such as 0.29 * 100 = 28.999...).
int64_t patch_side(double patch_fraction, int64_t slice_side);

}  // namespace p2l
