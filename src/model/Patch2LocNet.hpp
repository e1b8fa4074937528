#pragma once
// The Patch2Loc network (SPEC section 4): ResNet encoder feature + sinusoidal slice embedding,
// then two heads predicting the mean and the log-variance of the patch's in-slice location.
#include <torch/torch.h>

#include "config/ModelConfig.hpp"
#include "model/LocationHead.hpp"
#include "model/ResNetEncoder.hpp"

namespace p2l {

struct Patch2LocOutput {
  torch::Tensor mean;    // [N, 2]
  torch::Tensor logvar;  // [N, 2]
};

class Patch2LocNetImpl : public torch::nn::Module {
 public:
  explicit Patch2LocNetImpl(const ModelConfig& cfg);
  // patches [N, 1, p, p] float, cond [N] float in [0, 100].
  // detach_variance_features: the log-variance head sees a detached feature (the `stirn` loss).
  // In training mode BatchNorm needs N >= 2; use eval() for single patches.
  Patch2LocOutput forward(const torch::Tensor& patches, const torch::Tensor& cond,
                          bool detach_variance_features = false);

  const ResNetEncoder& feature_encoder() const { return encoder; }
  const LocationHead& mean_predictor() const { return mean_head; }
  const LocationHead& logvar_predictor() const { return logvar_head; }
  double embedding_base() const { return embedding_base_; }

 private:
  double embedding_base_;
  ResNetEncoder encoder{nullptr};
  LocationHead mean_head{nullptr}, logvar_head{nullptr};
};
TORCH_MODULE(Patch2LocNet);

int64_t count_parameters(const Patch2LocNet& net);

}  // namespace p2l
