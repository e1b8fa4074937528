#include "model/PatchExtractor.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace p2l {
namespace {

// Flat indices into a [S, H, W] tensor of every patch pixel, and which pixels lie inside the
// slice. Out-of-slice pixels are clamped to a valid index and zeroed through `inside`, so the
// resident slices are never copied into a padded buffer.
struct PatchIndex {
  torch::Tensor flat;    // [N, p, p] int64
  torch::Tensor inside;  // [N, p, p] float 0/1
};

PatchIndex patch_index(const torch::Tensor& volume, const torch::Tensor& slice_index,
                       const torch::Tensor& cy, const torch::Tensor& cx, int64_t p) {
  if (volume.dim() != 3) throw std::runtime_error("extract_patches: slices must be [S, H, W]");
  if (p < 1) throw std::runtime_error("extract_patches: patch side must be >= 1, got " + std::to_string(p));
  const int64_t H = volume.size(1), W = volume.size(2);
  auto dev = volume.device();
  auto offsets = torch::arange(p, torch::TensorOptions().dtype(torch::kLong).device(dev)) - p / 2;
  auto rows = cy.to(dev, torch::kLong).reshape({-1, 1, 1}) + offsets.reshape({1, p, 1});  // [N, p, 1]
  auto cols = cx.to(dev, torch::kLong).reshape({-1, 1, 1}) + offsets.reshape({1, 1, p});  // [N, 1, p]
  // Row and column terms are built on the small [N, p, 1] / [N, 1, p] shapes; only the final
  // sums broadcast to [N, p, p].
  auto row_in = ((rows >= 0).logical_and(rows < H)).to(torch::kFloat32);
  auto col_in = ((cols >= 0).logical_and(cols < W)).to(torch::kFloat32);
  auto row_base = slice_index.to(dev, torch::kLong).reshape({-1, 1, 1}) * (H * W) + rows.clamp(0, H - 1) * W;
  return {row_base + cols.clamp(0, W - 1), row_in * col_in};
}

// Values at the (clamped) indices; out-of-slice pixels still hold a neighbour's value here.
torch::Tensor gather_clamped(const torch::Tensor& volume, const PatchIndex& idx) {
  return volume.reshape({-1}).index_select(0, idx.flat.reshape({-1})).view(idx.flat.sizes()).to(torch::kFloat32);
}

// The mask with out-of-slice pixels zeroed: the padding counts as outside the brain.
torch::Tensor gather_mask(const torch::Tensor& masks, const PatchIndex& idx) {
  return gather_clamped(masks, idx).mul_(idx.inside);
}

}  // namespace

PatchSet extract_patches(const torch::Tensor& slices, const torch::Tensor& masks,
                         const torch::Tensor& slice_index, const torch::Tensor& cy,
                         const torch::Tensor& cx, int64_t p) {
  if (slices.sizes() != masks.sizes())
    throw std::runtime_error("extract_patches: slices and masks differ in shape");
  auto idx = patch_index(slices, slice_index, cy, cx, p);
  auto mask = gather_mask(masks, idx);
  auto patches = gather_clamped(slices, idx).mul_(mask);  // the mask also zeroes the padding
  return {patches.unsqueeze(1), mask.mean({1, 2})};
}

torch::Tensor patch_brain_fraction(const torch::Tensor& masks, const torch::Tensor& slice_index,
                                   const torch::Tensor& cy, const torch::Tensor& cx, int64_t p) {
  return gather_mask(masks, patch_index(masks, slice_index, cy, cx, p)).mean({1, 2});
}

torch::Tensor grid_brain_fraction(const torch::Tensor& masks, int64_t p, int64_t stride) {
  if (masks.dim() != 3 || p < 1 || stride < 1)
    throw std::runtime_error("grid_brain_fraction: needs [S, H, W] masks, p >= 1 and stride >= 1");
  // Padded by p/2 before and p - 1 - p/2 after, the window starting at padded row y is the
  // patch centred at row y; ceil(H / stride) windows fit.
  const int64_t before = p / 2, after = p - 1 - p / 2;
  auto m = torch::constant_pad_nd(masks.to(torch::kFloat32).unsqueeze(1), {before, after, before, after}, 0);
  return torch::avg_pool2d(m, {p, p}, {stride, stride}).squeeze(1);
}

int64_t patch_side(double patch_fraction, int64_t slice_side) {
  return std::max<int64_t>(1, int64_t(std::floor(patch_fraction * double(slice_side) + 1e-9)));
}

}  // namespace p2l
