#include "config/ModelConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, ModelConfig& c) {
  s.add("model.blocks", &c.blocks, "BasicBlocks per ResNet stage", 1, 64, 4, 4);
  s.add("model.widths", &c.widths, "channels per ResNet stage (the last is the feature size)", 1, 4096, 4, 4);
  s.add("model.head_widths", &c.head_widths, "hidden widths of the mean and log-variance MLP heads", 1, 4096, 1, 16);
  s.add("model.stem_kernel", &c.stem_kernel, "kernel size of the 1-channel stem convolution", 1, 15);
  s.add("model.stem_stride", &c.stem_stride, "stride of the stem convolution", 1, 4);
  s.add("model.stem_padding", &c.stem_padding, "padding of the stem convolution", 0, 8);
  s.add("model.embedding_base", &c.embedding_base, "base of the sinusoidal slice embedding frequencies", 1.0, 1e9);
  s.add("model.valid_taps_only", &c.valid_taps_only, "compute only the 3x3 taps that can touch data on small feature maps (exactly the same outputs and gradients; false runs every tap, for comparison)");
  s.add("model.channels_last", &c.channels_last, "channels-last (NHWC) feature maps: the same results, faster BatchNorm and convolutions on small maps (weights stay NCHW, so checkpoints do not change)");
  s.add("model.mean_bias_init", &c.mean_bias_init, "initial bias of the mean head output (centre of the target range)", -1000.0, 1000.0);
}

}  // namespace p2l
