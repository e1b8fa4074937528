#pragma once
// The median filter and brain masking of MedianFilter.hpp as tensor ops on a device, so the
// heatmap's last stages run where it was computed (CUDA in GPU runs; CPU tests check equality).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "scoring/MedianFilter.hpp"

namespace p2l {

// volume [K, J, I] float (a FloatVolume's layout), zero-padded size^3 median (size odd), then 0
// wherever `mask` [K, J, I] is zero. Works through slabs of slices so the size^3 window copy
// stays within `window_bytes`.
at::Tensor median_filter_and_mask(const at::Tensor& volume, int size, const at::Tensor& mask,
                                  int64_t window_bytes = int64_t(1) << 30);

// A MapFilter that uploads the map and mask to `device`, filters and masks there, and downloads
// the result (one copy each way per map).
MapFilter map_filter_on(c10::Device device);

}  // namespace p2l
