#pragma once
// Checkpoints ("best" and "last") of any trained module (Patch2Loc, the autoencoder): parameters
// and buffers, Adam state, the step, the best validation loss, the RNG state, the
// training-location density (Patch2Loc), the model's facts (train/ModelFacts.hpp) and the
// resolved config text.
// The per-step sampling generator is a function of (seed, rank, step), so the step is the whole
// sampling RNG state; the global CPU generator is saved as well. Written atomically (temp file
// then rename); a file that cannot be read throws naming it and is never overwritten.
#include <torch/torch.h>

#include <limits>
#include <string>

#include "train/ModelFacts.hpp"

namespace p2l {

struct TrainingState {
  int64_t step = 0;  // optimisation steps completed
  double best_val_loss = std::numeric_limits<double>::infinity();
  int64_t seed = 0;
  torch::Tensor density;  // Patch2Loc: [bins, bins] float64 counts of sampled targets (all ranks); may be undefined
  ModelFacts facts;  // std::monostate: none (a checkpoint written before they were stored)
  std::string config_yaml;
};

void save_checkpoint(const std::string& path, torch::nn::Module& net, torch::optim::Optimizer& opt,
                     const TrainingState& state);
// Restores `net` and `opt` in place (tensors land on the model's device) and returns the rest;
// throws std::runtime_error starting with `path` when the file is missing, truncated or not a
// checkpoint of this module.
TrainingState load_checkpoint(const std::string& path, torch::nn::Module& net,
                              torch::optim::Optimizer& opt);
// Loads only the model (evaluation): parameters and BatchNorm statistics.
void load_model_weights(const std::string& path, torch::nn::Module& net);
// Only the model's facts, before a reader builds the model from them; std::monostate for a
// checkpoint that predates them. Throws like load_checkpoint.
ModelFacts load_model_facts(const std::string& path);

}  // namespace p2l
