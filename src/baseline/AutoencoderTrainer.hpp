#pragma once
// Data-parallel training of the slice autoencoder baseline on the healthy training split, on
// the same DataParallelLoop as Patch2Loc (rendezvous, bucketed all-reduce, checkpoints, resume,
// preemption, logs). Every rank draws ae.slices_per_step slices per step with a generator
// seeded from (run.seed, rank, step); validation uses fixed slices of data.val_split. Outputs
// go to run.output_dir/ae.output_subdir: checkpoints/{best,last}.pt, train.log, train_log.jsonl.
#include <torch/torch.h>

#include <memory>
#include <utility>
#include <vector>

#include "baseline/SliceAutoencoder.hpp"
#include "config/Config.hpp"
#include "train/DataParallelLoop.hpp"
#include "train/TrainingData.hpp"

namespace p2l {

class Communicator;

class AutoencoderTrainer : private TrainingTask {
 public:
  // Throws before training when a split is empty, has no slice with ae.min_brain_fraction of
  // brain, or the slice sizes differ.
  AutoencoderTrainer(Config cfg, Communicator& comm, TrainingData data);
  ~AutoencoderTrainer() override;

  TrainOutcome run() { return loop_->run(*this); }
  // Reconstruction loss and mean absolute residual on the fixed validation slices (all ranks).
  ValidationRecord validate() override;
  // The masked reconstruction loss of a [N, 1, H, W] batch (ae.loss).
  torch::Tensor loss(const torch::Tensor& x, const torch::Tensor& mask);
  // One optimisation step on a fixed batch (tests).
  double train_step(const torch::Tensor& x, const torch::Tensor& mask) {
    return loop_->optimise([&] { return loss(x, mask); });
  }

  SliceAutoencoder& model() { return net_; }
  std::string checkpoint_path(const std::string& which) const { return loop_->checkpoint_path(which); }
  std::string output_dir() const;

 private:
  Config cfg_;
  Communicator& comm_;
  TrainingData data_;
  torch::Device device_;
  SliceAutoencoder net_{nullptr};
  std::unique_ptr<DataParallelLoop> loop_;
  // The training split as packed (train/PackedSlices.hpp: private, or the node's shared copy),
  // resident on the device, and the indices of its slices with enough brain: a step draws
  // from those indices, so no second copy of the split is made.
  torch::Tensor train_slices_, train_masks_;  // [sum Z, H, W]
  torch::Tensor train_brain_;                 // [N] int64 slice indices
  torch::Tensor val_x_, val_mask_;
  double chance_error_ = 0;

  std::pair<torch::Tensor, torch::Tensor> batch_of(const std::vector<SubjectSlices>& subjects,
                                                   const std::vector<std::pair<int, int>>& picks) const;
  torch::Tensor step_loss(int64_t step, int64_t& samples) override;
};

// The slices of `subjects` with at least `min_brain_fraction` of brain, as (subject, z).
std::vector<std::pair<int, int>> brain_slices(const std::vector<SubjectSlices>& subjects, double min_brain_fraction);
// The same for packed slices, as indices into packed.slices (in the same order).
std::vector<int64_t> brain_slices(const PackedSlices& packed, double min_brain_fraction);

// The autoencoder's checkpoint: run.output_dir/ae.output_subdir/checkpoints/best.pt.
std::string autoencoder_checkpoint(const Config& cfg);

}  // namespace p2l
