#include "config/BaselineConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, ZScoreConfig& c) {
  s.add("zscore.eps", &c.eps, "added to the voxel-wise healthy standard deviation: map |x - mean| / (std + eps)", 1e-9, 10.0);
  s.add("zscore.median_size", &c.median_size, "3-D median filter of the z-score map (1: off; odd)", 1, 31);
}

void bind(Schema& s, AutoencoderConfig& c) {
  s.add("ae.channels", &c.channels, "channels of the autoencoder's stride-2 stages (slice sides must divide by 2^stages, else they are padded)", 1, 1024, 1, 6);
  s.add("ae.latent_channels", &c.latent_channels, "channels of the spatial bottleneck", 1, 1024);
  bind(s, "ae", static_cast<LoopConfig&>(c));
  s.add("ae.loss", &c.loss, "reconstruction loss inside the brain mask", reconstruction_losses());
  s.add("ae.slices_per_step", &c.slices_per_step, "healthy training slices per step and rank", 1, 4096);
  s.add("ae.min_brain_fraction", &c.min_brain_fraction, "slices with less brain than this fraction are never drawn", 0.0, 1.0);
  s.add("ae.val_slices", &c.val_slices, "fixed validation slices per rank", 1, 100000);
  s.add("ae.median_size", &c.median_size, "3-D median filter of the residual map (1: off; odd)", 1, 31);
  s.add("ae.output_subdir", &c.output_subdir, "folder under run.output_dir for the autoencoder's checkpoints and logs");
}

TrainConfig autoencoder_train_config(const TrainConfig& train, const AutoencoderConfig& ae) {
  TrainConfig t = train;
  static_cast<LoopConfig&>(t) = ae;
  t.lr_scaling = LrScaling::kNone;
  return t;
}

const std::vector<std::string>& autoencoder_replaced_train_keys() {
  static const std::vector<std::string> keys = [] {
    Schema s;
    LoopConfig loop;
    bind(s, "train", loop);
    auto k = s.keys();
    k.push_back("train.lr_scaling");
    return k;
  }();
  return keys;
}

}  // namespace p2l
