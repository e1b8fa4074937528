#include "model/Patch2LocNet.hpp"

#include "model/SliceEmbedding.hpp"

namespace p2l {

Patch2LocNetImpl::Patch2LocNetImpl(const ModelConfig& cfg)
    : embedding_base_(cfg.embedding_base),
      encoder(register_module("encoder", ResNetEncoder(cfg))),
      mean_head(register_module("mean_head", LocationHead(cfg.widths.back(), cfg.head_widths, 2))),
      logvar_head(register_module("logvar_head", LocationHead(cfg.widths.back(), cfg.head_widths, 2))) {
  // Targets lie in [0, 100]; starting the mean at the centre avoids a 50-unit offset that
  // dominates early training (SPEC section 5).
  torch::NoGradGuard no_grad;
  mean_head->output()->bias.fill_(cfg.mean_bias_init);
}

Patch2LocOutput Patch2LocNetImpl::forward(const torch::Tensor& patches, const torch::Tensor& cond,
                                          bool detach_variance_features) {
  auto feature = encoder(patches);
  feature = feature + slice_embedding(cond, feature.size(1), embedding_base_).to(feature.dtype());
  return {mean_head(feature), logvar_head(detach_variance_features ? feature.detach() : feature)};
}

int64_t count_parameters(const Patch2LocNet& net) {
  int64_t n = 0;
  for (const auto& p : net->parameters()) n += p.numel();
  return n;
}

}  // namespace p2l
