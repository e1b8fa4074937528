#pragma once
// Training losses (SPEC section 5) and the location-error metric.
#include <torch/torch.h>

#include "config/TrainChoices.hpp"
#include "model/Patch2LocNet.hpp"

namespace p2l {

// beta_nll (beta), mse, stirn exactly as SPEC section 5; returns a scalar float32 tensor.
// Per-coordinate terms are summed over the 2 coordinates and averaged over patches.
// stirn expects `out` from forward(..., detach_variance_features = true).
torch::Tensor location_loss(const Patch2LocOutput& out, const torch::Tensor& targets,
                            LocationLoss loss, double beta);

// Mean Euclidean distance |t - mu| over patches (the learning-check metric).
torch::Tensor mean_location_error(const torch::Tensor& mean, const torch::Tensor& targets);

}  // namespace p2l
