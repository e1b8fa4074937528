#pragma once
// Convolution that computes only the kernel taps that can touch data.
//
// On the small feature maps of 12 x 12 and 24 x 24 patches the deep ResNet stages run on 2 x 2
// and 1 x 1 maps, where most taps of a zero-padded 3 x 3 kernel only ever multiply padding.
// The result is the plain convolution's exactly (the dropped taps contribute exact zeros, and
// their weight gradients are exactly zero in both), so parameters, checkpoints and parameter
// names stay those of the 3 x 3 layers.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace p2l {

// The inclusive range [first, last] of kernel taps along one axis that touch at least one input
// pixel for some output, for an input of `size`, kernel `kernel`, `stride` and `padding`.
struct TapRange {
  int64_t first = 0, last = -1;
  int64_t outputs = 0;  // output size along the axis
};
TapRange valid_taps(int64_t size, int64_t kernel, int64_t stride, int64_t padding);

// Equals at::conv2d(x, weight, bias, stride, padding) (no dilation, one group) for
// x [N, C, H, W], weight [O, C, kh, kw] and an optional bias [O]. When the output is 1 x 1 it
// is one matrix product of the kept taps; on maps with fewer pixels than kept taps (2 x 2) one
// matrix product with the layer's dense input-pixel x output-pixel matrix; else a convolution
// of the kept taps over the input cropped or padded to what they read.
at::Tensor valid_tap_conv2d(const at::Tensor& x, const at::Tensor& weight, int64_t stride,
                            int64_t padding, const at::Tensor& bias = {});

}  // namespace p2l
