#pragma once
#include <string>
#include <vector>

#include "config/TrainConfig.hpp"

namespace p2l {
class Schema;

// The voxel-wise intensity z-score baseline: mean and standard deviation per voxel of the
// healthy training split on the common grid; map |x - mean| / (std + eps).
struct ZScoreConfig {
  double eps = 0.01;    // intensities are in [0, 1] after preprocessing
  int median_size = 1;  // 3-D median filter of the map (1: off)
};

// The convolutional slice autoencoder baseline: trained on whole healthy axial slices with the
// same distributed runtime as Patch2Loc; map |x - x_hat|. Its loop is ae.lr, ae.steps, ...
struct AutoencoderConfig : LoopConfig {
  AutoencoderConfig() : LoopConfig{5e-3, LrSchedule::kCosine, 20, 2000, 50, 50, 10} {}

  std::vector<int> channels = {16, 32, 64};  // one stride-2 stage each, encoder and decoder
  int latent_channels = 16;                        // channels of the spatial bottleneck
  ReconstructionLoss loss = ReconstructionLoss::kL1;  // over the brain mask
  int slices_per_step = 32;                        // per rank
  double min_brain_fraction = 0.05;                // slices with less brain are not drawn
  int val_slices = 64;  // per rank
  int median_size = 5;  // 3-D median filter of the residual map (1: off)
  std::string output_subdir = "ae";  // under run.output_dir: checkpoints/, train.log
};

void bind(Schema& s, ZScoreConfig& c);
void bind(Schema& s, AutoencoderConfig& c);

// The train.* settings the autoencoder trains with: train's runtime keys (device, precision,
// backend, buckets, overlap, timeout, the schedule's shape) with its loop from ae.* and
// lr_scaling none.
TrainConfig autoencoder_train_config(const TrainConfig& train, const AutoencoderConfig& ae);
// The train.* keys autoencoder_train_config replaces, so the autoencoder never reads them:
// the loop's keys under train. and train.lr_scaling.
const std::vector<std::string>& autoencoder_replaced_train_keys();

}  // namespace p2l
