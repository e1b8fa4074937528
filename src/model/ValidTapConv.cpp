#include "model/ValidTapConv.hpp"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace p2l {

TapRange valid_taps(int64_t size, int64_t kernel, int64_t stride, int64_t padding) {
  TapRange r;
  if (size + 2 * padding < kernel)
    throw std::runtime_error("convolution: input of " + std::to_string(size) +
                             " px is smaller than its kernel of " + std::to_string(kernel));
  r.outputs = (size + 2 * padding - kernel) / stride + 1;
  r.first = kernel;
  for (int64_t t = 0; t < kernel; ++t) {
    // Output o reads input o * stride - padding + t; some o must land inside [0, size).
    for (int64_t o = 0; o < r.outputs; ++o) {
      int64_t i = o * stride - padding + t;
      if (i >= 0 && i < size) {
        r.first = std::min(r.first, t);
        r.last = std::max(r.last, t);
        break;
      }
    }
  }
  return r;
}

namespace {

// For each (input pixel, output pixel) pair of one axis pair, the kernel tap that links them,
// or kh * kw (a zero tap) when none does: [H * W, Ho * Wo] row-major.
at::Tensor tap_of_pair(int64_t H, int64_t W, int64_t kh, int64_t kw, int64_t stride,
                       int64_t padding, int64_t Ho, int64_t Wo) {
  std::vector<int64_t> tap;
  tap.reserve(size_t(H * W * Ho * Wo));
  for (int64_t iy = 0; iy < H; ++iy)
    for (int64_t ix = 0; ix < W; ++ix)
      for (int64_t oy = 0; oy < Ho; ++oy)
        for (int64_t ox = 0; ox < Wo; ++ox) {
          int64_t ty = iy - oy * stride + padding, tx = ix - ox * stride + padding;
          bool in = ty >= 0 && ty < kh && tx >= 0 && tx < kw;
          tap.push_back(in ? ty * kw + tx : kh * kw);
        }
  return at::tensor(tap, at::kLong);
}

// The convolution as one matrix product with the layer's dense (Toeplitz) matrix: every
// input pixel times every output pixel, through the tap that links them (zero if none).
// On maps smaller than the kernel (2 x 2 under a 3 x 3 kernel) it does fewer multiplications
// than any tap-wise convolution: H W C x Ho Wo O instead of Ho Wo O x C kh kw.
at::Tensor dense_map_conv2d(const at::Tensor& x, const at::Tensor& weight, int64_t stride,
                            int64_t padding, int64_t Ho, int64_t Wo, const at::Tensor& bias) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = weight.size(0), kh = weight.size(2), kw = weight.size(3);
  auto taps = weight.permute({2, 3, 1, 0}).reshape({kh * kw, C, O});
  taps = at::cat({taps, at::zeros({1, C, O}, taps.options())});
  auto idx = tap_of_pair(H, W, kh, kw, stride, padding, Ho, Wo).to(weight.device());
  auto dense = taps.index_select(0, idx).view({H * W, Ho * Wo, C, O}).permute({0, 2, 1, 3})
                   .reshape({H * W * C, Ho * Wo * O});
  // Input rows as (pixel, channel): a view when x is channels-last.
  auto rows = x.permute({0, 2, 3, 1}).reshape({N, H * W * C});
  auto y = at::matmul(rows, dense).view({N, Ho, Wo, O});
  if (bias.defined()) y = y + bias;
  return y.permute({0, 3, 1, 2});  // NCHW sizes, channels-last memory
}

}  // namespace

at::Tensor valid_tap_conv2d(const at::Tensor& x, const at::Tensor& weight, int64_t stride,
                            int64_t padding, const at::Tensor& bias) {
  const int64_t kh = weight.size(2), kw = weight.size(3);
  TapRange ry = valid_taps(x.size(2), kh, stride, padding);
  TapRange rx = valid_taps(x.size(3), kw, stride, padding);
  const int64_t kept = (ry.last - ry.first + 1) * (rx.last - rx.first + 1);
  const bool single_output = ry.outputs == 1 && rx.outputs == 1;
  if (!single_output && x.size(2) * x.size(3) < kept)
    return dense_map_conv2d(x, weight, stride, padding, ry.outputs, rx.outputs, bias);
  if (ry.first == 0 && ry.last == kh - 1 && rx.first == 0 && rx.last == kw - 1)
    return at::conv2d(x, weight, bias, {stride, stride}, {padding, padding});
  auto w = weight.slice(2, ry.first, ry.last + 1).slice(3, rx.first, rx.last + 1);
  // The input window the kept taps read: padded (positive) or cropped (negative) on each side,
  // so the cropped kernel runs without padding and yields the same outputs.
  auto window = [&](const TapRange& r, int64_t size) {
    int64_t begin = r.first - padding;                                   // first row read
    int64_t end = (r.outputs - 1) * stride - padding + r.last;           // last row read
    return std::pair<int64_t, int64_t>{-begin, end - (size - 1)};
  };
  auto [top, bottom] = window(ry, x.size(2));
  auto [left, right] = window(rx, x.size(3));
  at::Tensor xin = (top || bottom || left || right) ? at::constant_pad_nd(x, {left, right, top, bottom}, 0) : x;
  if (single_output) {
    // One output pixel: the convolution is a matrix product of the flattened window.
    auto flat = xin.reshape({xin.size(0), -1});
    auto wt = w.reshape({w.size(0), -1}).t();
    auto y = bias.defined() ? at::addmm(bias, flat, wt) : at::matmul(flat, wt);
    return y.view({x.size(0), weight.size(0), 1, 1});
  }
  return at::conv2d(xin, w, bias, {stride, stride}, at::IntArrayRef{0, 0});
}

}  // namespace p2l
