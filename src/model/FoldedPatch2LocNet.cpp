#include "model/FoldedPatch2LocNet.hpp"

#include "model/SliceEmbedding.hpp"
#include "model/ValidTapConv.hpp"

namespace p2l {
namespace {

// Scale and shift of a BatchNorm in eval mode: y = x * scale + shift.
std::pair<torch::Tensor, torch::Tensor> norm_affine(const torch::Tensor& mean, const torch::Tensor& var,
                                                    const torch::Tensor& gamma, const torch::Tensor& beta,
                                                    double eps) {
  auto scale = gamma / torch::sqrt(var + eps);
  return {scale, beta - mean * scale};
}

template <class Conv, class Norm>
auto fold(const Conv& conv, const Norm& norm) {  // holders of the two layers
  auto [scale, shift] = norm_affine(norm->running_mean, norm->running_var, norm->weight, norm->bias,
                                    norm->options.eps());
  std::vector<int64_t> shape(conv->weight.dim(), 1);
  shape[0] = -1;
  torch::Tensor bias = shift;
  if (conv->bias.defined()) bias = conv->bias * scale + shift;
  auto weight = conv->weight * scale.view(shape);
  weight = weight.dim() == 4 ? weight.contiguous(at::MemoryFormat::ChannelsLast) : weight.contiguous();
  return std::pair<torch::Tensor, torch::Tensor>{weight, bias.contiguous()};
}

// Module `i` of a Sequential as its holder type.
template <class Holder>
Holder child(const torch::nn::Sequential& s, size_t i) {
  return Holder(std::dynamic_pointer_cast<typename Holder::ContainedType>(s->ptr(i)));
}

}  // namespace

FoldedPatch2LocNet::Head FoldedPatch2LocNet::fold_head(const LocationHead& h) {
  Head out;
  const auto& seq = h->hidden();
  for (size_t i = 0; i + 1 < seq->size(); i += 3) {  // Linear, BatchNorm1d, ReLU
    auto [w, b] = fold(child<torch::nn::Linear>(seq, i), child<torch::nn::BatchNorm1d>(seq, i + 1));
    out.hidden.push_back({w, b});
  }
  out.out = {h->output()->weight.clone(), h->output()->bias.clone()};
  return out;
}

FoldedPatch2LocNet::FoldedPatch2LocNet(const Patch2LocNet& net)
    : embedding_base_(net->embedding_base()) {
  torch::NoGradGuard no_grad;
  const auto& enc = net->feature_encoder();
  auto conv_layer = [](const torch::nn::Conv2d& c, const auto& norm) {
    auto [w, b] = fold(c, norm);
    const auto& o = c->options;
    return Layer{w, b, o.stride()->at(0), std::get<torch::ExpandingArray<2>>(o.padding())->at(0)};
  };
  stem_ = conv_layer(enc->stem_conv(), enc->stem_norm());
  for (const auto& blk : enc->blocks()) {
    Block b{conv_layer(blk->first_conv(), blk->first_norm()), conv_layer(blk->second_conv(), blk->second_norm()), {}};
    if (!blk->shortcut().is_empty())
      b.shortcut = conv_layer(child<torch::nn::Conv2d>(blk->shortcut(), 0),
                              child<torch::nn::BatchNorm2d>(blk->shortcut(), 1));
    blocks_.push_back(b);
  }
  mean_ = fold_head(net->mean_predictor());
  logvar_ = fold_head(net->logvar_predictor());
}

torch::Tensor FoldedPatch2LocNet::run_head(const Head& h, torch::Tensor x) {
  for (const auto& l : h.hidden) x = torch::addmm(l.bias, x, l.weight.t()).relu_();
  return torch::addmm(h.out.bias, x, h.out.weight.t());
}

Patch2LocOutput FoldedPatch2LocNet::forward(const torch::Tensor& patches, const torch::Tensor& cond) const {
  auto conv = [](const Layer& l, const torch::Tensor& x) {
    return valid_tap_conv2d(x, l.weight, l.stride, l.padding, l.bias);
  };
  // In-place activations and sums: nothing here is differentiated.
  auto y = conv(stem_, patches.contiguous(at::MemoryFormat::ChannelsLast)).relu_();
  y = torch::max_pool2d(y, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
  for (const auto& b : blocks_) {
    auto r = conv(b.conv2, conv(b.conv1, y).relu_());
    y = r.add_(b.shortcut.weight.defined() ? conv(b.shortcut, y) : y).relu_();
  }
  auto feature = y.mean({2, 3});
  feature = feature + slice_embedding(cond, feature.size(1), embedding_base_).to(feature.dtype());
  return {run_head(mean_, feature), run_head(logvar_, feature)};
}

}  // namespace p2l
