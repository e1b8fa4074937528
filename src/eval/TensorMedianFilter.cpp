#include "eval/TensorMedianFilter.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace p2l {
namespace {

at::Tensor as_tensor(const FloatVolume& v) {
  const auto& n = v.geom.size;
  return at::from_blob(const_cast<float*>(v.data.data()), {int64_t(n[2]), int64_t(n[1]), int64_t(n[0])}, at::kFloat);
}

at::Tensor as_tensor(const LabelVolume& v) {
  const auto& n = v.geom.size;
  return at::from_blob(const_cast<uint8_t*>(v.data.data()), {int64_t(n[2]), int64_t(n[1]), int64_t(n[0])}, at::kByte);
}

}  // namespace

at::Tensor median_filter_and_mask(const at::Tensor& volume, int size, const at::Tensor& mask, int64_t window_bytes) {
  if (size < 1 || size % 2 == 0)
    throw std::runtime_error("eval.median_size: " + std::to_string(size) + " must be odd and >= 1");
  if (volume.dim() != 3 || volume.sizes() != mask.sizes())
    throw std::runtime_error("median_filter_and_mask: volume and mask must be [K, J, I] of one shape");
  const int64_t K = volume.size(0), J = volume.size(1), I = volume.size(2), r = size / 2;
  const int64_t window = int64_t(size) * size * size;
  at::Tensor filtered;
  if (size == 1) {
    filtered = volume;
  } else {
    filtered = at::empty_like(volume);
    const auto padded = at::constant_pad_nd(volume, {r, r, r, r, r, r}, 0);
    const int64_t slab = std::max<int64_t>(1, window_bytes / (J * I * window * int64_t(volume.element_size())));
    for (int64_t k0 = 0; k0 < K; k0 += slab) {
      const int64_t k1 = std::min(K, k0 + slab);
      // [k1 - k0, J, I, size, size, size] windows, flattened to one row of size^3 per voxel; an odd
      // count has one middle value, so the median is exact.
      auto windows = padded.slice(0, k0, k1 + 2 * r).unfold(0, size, 1).unfold(1, size, 1).unfold(2, size, 1);
      filtered.slice(0, k0, k1).copy_(std::get<0>(windows.reshape({k1 - k0, J, I, window}).median(-1)));
    }
  }
  return at::where(mask.ne(0), filtered, at::zeros_like(filtered));
}

MapFilter map_filter_on(c10::Device device) {
  return [device](const FloatVolume& map, int size, const LabelVolume& mask) {
    auto out = median_filter_and_mask(as_tensor(map).to(device), size, as_tensor(mask).to(device)).to(at::kCPU).contiguous();
    FloatVolume v(map.geom);
    std::copy(out.data_ptr<float>(), out.data_ptr<float>() + out.numel(), v.data.begin());
    return v;
  };
}

}  // namespace p2l
