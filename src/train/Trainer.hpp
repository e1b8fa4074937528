#pragma once
// Data-parallel Patch2Loc training (SPEC section 5): every rank samples its own patches with a
// generator seeded from (run.seed, rank, step), gradients are averaged over ranks in flat
// buckets, Adam steps identically everywhere. Validation, best/last checkpoints, automatic
// resume from last, preemption on SIGTERM/SIGUSR1 and the logs are handled here; p2l-train is
// a thin front end. Tests drive it with in-memory subjects.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "model/Patch2LocNet.hpp"
#include "train/LocationDensity.hpp"
#include "train/PatchSampler.hpp"
#include "train/TrainingData.hpp"
#include "train/TrainingLog.hpp"

namespace p2l {

class Communicator;
class GradientReducer;

struct TrainOutcome {
  bool preempted = false;       // stopped early by a signal; "last" holds the state
  int64_t step = 0;             // optimisation steps completed in total (with resumed ones)
  int64_t resumed_from = 0;     // the step "last" held when this run started (0: fresh)
  std::vector<double> losses;   // mean-over-ranks training loss of each step this run made
  ValidationRecord last_validation;
  double best_val_loss = 0;
};

class Trainer {
 public:
  // Checks the data (throws before training on bad input), builds the model, broadcasts rank
  // 0's initial parameters and buffers, and resumes from run.output_dir/checkpoints/last.pt
  // when it exists.
  Trainer(Config cfg, Communicator& comm, TrainingData data);
  ~Trainer();

  // Trains until train.steps or a preemption signal; writes "last" at the end either way.
  TrainOutcome run();

  // One optimisation step on `batch` in the model's current mode; returns the loss averaged
  // over ranks. (run() uses it; tests feed fixed batches through it.)
  double train_step(const PatchBatch& batch);
  // Loss and location error on the fixed validation patches, over all ranks.
  ValidationRecord validate();

  Patch2LocNet& model() { return net_; }
  int64_t step() const { return step_; }
  torch::Device device() const { return device_; }
  double last_allreduce_seconds() const { return allreduce_seconds_; }
  // The learning rate of the next step (train.schedule, train.lr_scaling).
  double learning_rate() const;
  std::string checkpoint_path(const std::string& which) const;

 private:
  Config cfg_;
  Communicator& comm_;
  TrainingData data_;
  torch::Device device_;
  bool autocast_;
  Patch2LocNet net_{nullptr};
  std::unique_ptr<torch::optim::Adam> opt_;  // a FusedAdam
  std::unique_ptr<GradientReducer> reducer_;
  double base_lr_ = 0;
  std::unique_ptr<PatchSampler> sampler_;
  PatchBatch val_batch_;
  double chance_error_ = 0;
  LocationDensity density_;
  std::unique_ptr<TrainingLog> log_;
  int64_t step_ = 0;
  double best_val_loss_;
  double allreduce_seconds_ = 0;

  double bucket_bytes() const;
  void broadcast_state(bool parameters);
  void draw_validation_patches();
  void save(const std::string& which);
  void write_density();
  bool any_rank_preempted();
};

// The per-step sampling seed: a hash of (seed, rank, step), so training is resumable by step.
uint64_t step_seed(uint64_t seed, int rank, int64_t step);

}  // namespace p2l

namespace p2l {
// train.device resolved for a rank: cuda:<local rank mod GPUs> or cpu (throws when cuda is
// requested without CUDA).
torch::Device training_device(const TrainConfig& cfg, int local_rank);
}  // namespace p2l
