#pragma once
// An inference-only copy of a trained Patch2LocNet with every BatchNorm folded into the
// convolution or linear layer before it (w' = w * g / sqrt(v + eps), b' = (b - m) * g /
// sqrt(v + eps) + beta, from the running statistics), and every convolution computing only
// the taps that touch data (ValidTapConv.hpp): one operation per layer where eval mode runs
// two. Equals the network in eval mode up to float rounding; run it under inference mode.
#include <torch/torch.h>

#include <vector>

#include "model/Patch2LocNet.hpp"

namespace p2l {

class FoldedPatch2LocNet {
 public:
  // Copies (and folds) the current weights and statistics of `net`, on `net`'s device.
  explicit FoldedPatch2LocNet(const Patch2LocNet& net);
  Patch2LocOutput forward(const torch::Tensor& patches, const torch::Tensor& cond) const;

 private:
  struct Layer {  // a convolution or linear layer with its BatchNorm folded in
    torch::Tensor weight, bias;
    int64_t stride = 1, padding = 0;
  };
  struct Block {
    Layer conv1, conv2, shortcut;  // shortcut.weight undefined: identity
  };
  struct Head {
    std::vector<Layer> hidden;  // each followed by ReLU
    Layer out;
  };
  Layer stem_;
  std::vector<Block> blocks_;
  Head mean_, logvar_;
  double embedding_base_;

  static torch::Tensor run_head(const Head& h, torch::Tensor x);
  static Head fold_head(const LocationHead& h);
};

}  // namespace p2l
