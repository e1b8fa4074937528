#include "config/TrainConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, TrainConfig& c) {
  bind(s, "train", static_cast<LoopConfig&>(c));
  s.add("train.patch_fraction", &c.patch_fraction, "patch side as a fraction of the slice side (p = floor(f * side))", 0.01, 1.0);
  s.add("train.slices_per_step", &c.slices_per_step, "training volumes drawn per step (one random slice each)", 1, 100000);
  s.add("train.patches_per_step", &c.patches_per_step, "patches per step per rank (4x as many candidate centres are drawn)", 1, 10000000);
  s.add("train.keep_all_candidates", &c.keep_all_candidates, "train on every candidate that passes the brain-fraction rule, as the published code does (a step's batch then varies, about 4 x patches_per_step x the pass rate); false: at most patches_per_step");
  s.add("train.min_brain_fraction", &c.min_brain_fraction, "minimum fraction of patch pixels inside the brain mask", 0.0, 1.0);
  s.add("train.loss", &c.loss, "training loss", location_losses());
  s.add("train.beta", &c.beta, "beta of the beta-NLL loss", 0.0, 1.0);
  s.add("train.min_lr_fraction", &c.min_lr_fraction, "cosine schedule: final learning rate as a fraction of train.lr", 0.0, 1.0);
  s.add("train.onecycle_pct", &c.onecycle_pct, "onecycle schedule: fraction of the steps spent rising to train.lr", 0.0, 1.0);
  s.add("train.onecycle_div", &c.onecycle_div, "onecycle schedule: the first learning rate is train.lr / this", 1.0, 1e9);
  s.add("train.onecycle_final_div", &c.onecycle_final_div, "onecycle schedule: the last learning rate is the first / this", 1.0, 1e12);
  s.add("train.step_every", &c.step_every, "step schedule: steps between learning-rate drops", 1, 100000000);
  s.add("train.step_gamma", &c.step_gamma, "step schedule: factor of each drop", 0.0, 1.0);
  s.add("train.lr_scaling", &c.lr_scaling, "scale train.lr with the global batch B (patches per step over all ranks): none, linear (B / lr_reference_batch), sqrt", lr_scalings());
  s.add("train.lr_reference_batch", &c.lr_reference_batch, "the global batch at which train.lr applies unscaled (train.lr_scaling)", 1, 100000000);
  s.add("train.overlap_allreduce", &c.overlap_allreduce, "all-reduce gradient buckets during the backward pass as soon as they are ready (as PyTorch DDP); false: one all-reduce after the backward pass");
  s.add("train.val_patches", &c.val_patches, "validation patches per rank (drawn once, with a fixed seed)", 1, 10000000);
  s.add("train.density_every", &c.density_every, "steps between saves of the training-location density", 1, 100000000);
  s.add("train.density_bins", &c.density_bins, "bins per axis of the saved training-location density", 1, 10000);
  s.add("train.device", &c.device, "training device: auto is cuda:<local rank> when CUDA is available, else cpu", device_requests());
  s.add("train.precision", &c.precision, "arithmetic: auto is bf16 autocast on GPU and on CPUs with AVX512-BF16 or AMX-BF16, fp32 on other CPUs, where bf16 is emulated and slow (fp16 is not offered: LibTorch C++ has no gradient scaler)", precisions(), {Precision::kAuto, Precision::kFp32, Precision::kBf16});
  s.add("train.backend", &c.backend, "c10d backend: auto is NCCL with GPUs and Gloo otherwise", backends());
  s.add("train.bucket_mb", &c.bucket_mb, "gradient all-reduce bucket size (MiB)", 0.01, 4096.0);
  s.add("train.timeout_s", &c.timeout_s, "collective and rendezvous timeout (s): a dead rank ends the job after this", 1.0, 86400.0);
  s.add("train.shared_slices", &c.shared_slices, "with several ranks on a node, hold the training split once per node: its local rank 0 (as the ranks' exchanged node identities place it) writes it to an unnamed file in train.shared_slices_dir and every rank maps it read-only");
  s.add("train.shared_slices_dir", &c.shared_slices_dir, "node-local folder for train.shared_slices, ideally a RAM file system; its file system must support O_TMPFILE (tmpfs, ext4, xfs), else every rank keeps its own copy. The file never has a name, so nothing is left behind, even by a killed job");
  s.add("train.num_folds", &c.num_folds, "cross-validation folds in the split CSVs", 1, 100);
  s.add("train.fold", &c.fold, "fold to train (selects IXI_train_fold<k> / IXI_val_fold<k> when the split names end in fold0)", 0, 99);
  // Patch2Loc's alone: its patches, loss, validation patches, density and its one copy per
  // node (the autoencoder's results do not depend on that copy); and the keys the autoencoder
  // takes from ae.* instead (autoencoder_replaced_train_keys, config/BaselineConfig.hpp).
  s.set_scope({"train.patch_fraction", "train.slices_per_step", "train.patches_per_step", "train.keep_all_candidates",
               "train.min_brain_fraction", "train.loss", "train.beta", "train.lr_reference_batch", "train.val_patches",
               "train.density_every", "train.density_bins", "train.shared_slices", "train.shared_slices_dir",
               "train.lr", "train.schedule", "train.warmup_steps", "train.lr_scaling", "train.steps", "train.val_every",
               "train.checkpoint_every", "train.log_every"},
              Schema::Scope::patch2loc_only);
  // Both models': the schedule's shape, the runtime and the data folds.
  s.set_scope({"train.min_lr_fraction", "train.onecycle_pct", "train.onecycle_div", "train.onecycle_final_div",
               "train.step_every", "train.step_gamma", "train.overlap_allreduce", "train.device", "train.precision",
               "train.backend", "train.bucket_mb", "train.timeout_s", "train.num_folds", "train.fold"},
              Schema::Scope::every_model);
}

}  // namespace p2l
