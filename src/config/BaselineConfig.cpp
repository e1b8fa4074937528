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
  s.add("ae.loss", &c.loss, "reconstruction loss inside the brain mask", {"l1", "mse"});
  s.add("ae.slices_per_step", &c.slices_per_step, "healthy training slices per step and rank", 1, 4096);
  s.add("ae.min_brain_fraction", &c.min_brain_fraction, "slices with less brain than this fraction are never drawn", 0.0, 1.0);
  s.add("ae.lr", &c.lr, "Adam learning rate", 1e-8, 10.0);
  s.add("ae.schedule", &c.schedule, "learning-rate schedule (as train.schedule)", {"constant", "cosine", "onecycle", "step"});
  s.add("ae.warmup_steps", &c.warmup_steps, "linear warm-up steps", 0, 1000000);
  s.add("ae.steps", &c.steps, "optimisation steps", 1, 100000000);
  s.add("ae.val_every", &c.val_every, "steps between validations (best.pt keeps the lowest validation loss)", 1, 100000000);
  s.add("ae.val_slices", &c.val_slices, "fixed validation slices per rank", 1, 100000);
  s.add("ae.checkpoint_every", &c.checkpoint_every, "steps between last.pt checkpoints", 1, 100000000);
  s.add("ae.log_every", &c.log_every, "steps between progress lines", 1, 100000000);
  s.add("ae.median_size", &c.median_size, "3-D median filter of the residual map (1: off; odd)", 1, 31);
  s.add("ae.output_subdir", &c.output_subdir, "folder under run.output_dir for the autoencoder's checkpoints and logs");
}

// These two change together: every field set below is listed, and nothing else.
TrainConfig autoencoder_train_config(const TrainConfig& train, const AutoencoderConfig& ae) {
  TrainConfig t = train;
  t.lr = ae.lr;
  t.schedule = ae.schedule;
  t.warmup_steps = ae.warmup_steps;
  t.lr_scaling = "none";
  t.steps = ae.steps;
  t.val_every = ae.val_every;
  t.checkpoint_every = ae.checkpoint_every;
  t.log_every = ae.log_every;
  return t;
}

const std::vector<std::string>& autoencoder_replaced_train_keys() {
  static const std::vector<std::string> keys = {"train.lr", "train.schedule", "train.warmup_steps",
                                                "train.lr_scaling", "train.steps", "train.val_every",
                                                "train.checkpoint_every", "train.log_every"};
  return keys;
}

}  // namespace p2l
