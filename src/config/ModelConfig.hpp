#pragma once
#include <string>
#include <vector>

namespace p2l {
class Schema;

// The Patch2Loc network (SPEC section 4).
struct ModelConfig {
  std::vector<int> blocks = {2, 2, 2, 2};
  std::vector<int> widths = {64, 128, 256, 512};
  std::vector<int> head_widths = {512, 128, 64, 32};
  int stem_kernel = 3;
  int stem_stride = 2;
  int stem_padding = 3;
  double embedding_base = 10000.0;
  double mean_bias_init = 50.0;  // centre of the [0, 100] target range
  bool valid_taps_only = true;   // skip convolution taps that only multiply padding (same result)
  bool channels_last = true;     // NHWC feature maps (weights stay NCHW): faster BatchNorm, convolutions
};

void bind(Schema& s, ModelConfig& c);

}  // namespace p2l
