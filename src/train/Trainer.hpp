#pragma once
// Data-parallel Patch2Loc training (SPEC section 5): every rank samples its own patches with a
// generator seeded from (run.seed, rank, step); the shared DataParallelLoop averages gradients
// over ranks, steps Adam identically everywhere and handles checkpoints, resume, preemption and
// logs. This class supplies the patches, the loss, the validation and the location density;
// p2l-train is a thin front end. Tests drive it with in-memory subjects.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "model/Patch2LocNet.hpp"
#include "train/DataParallelLoop.hpp"
#include "train/LocationDensity.hpp"
#include "train/PatchSampler.hpp"
#include "train/TrainingData.hpp"
#include "train/TrainingLog.hpp"

namespace p2l {

class Communicator;

class Trainer : private TrainingTask {
 public:
  // Checks the data (throws before training on bad input), builds the model, broadcasts rank
  // 0's initial parameters and buffers, and resumes from run.output_dir/checkpoints/last.pt
  // when it exists.
  Trainer(Config cfg, Communicator& comm, TrainingData data);
  ~Trainer() override;

  // Trains until train.steps or a preemption signal; writes "last" at the end either way.
  TrainOutcome run() { return loop_->run(*this); }

  // One optimisation step on `batch` in the model's current mode; returns the loss averaged
  // over ranks. (run() uses it; tests feed fixed batches through it.)
  double train_step(const PatchBatch& batch);
  // Loss and location error on the fixed validation patches, over all ranks.
  ValidationRecord validate() override;
  // The batch this rank trains on at 0-based step `step`: its generator is seeded with
  // (run.seed, rank, step), so ranks draw different patches and a resumed run the same ones.
  PatchBatch step_batch(int64_t step) const;

  Patch2LocNet& model() { return net_; }
  int64_t step() const { return loop_->step(); }
  torch::Device device() const { return device_; }
  double last_allreduce_seconds() const { return loop_->last_allreduce_seconds(); }
  // The learning rate of the next step (train.schedule, train.lr_scaling).
  double learning_rate() const { return loop_->learning_rate(); }
  std::string checkpoint_path(const std::string& which) const { return loop_->checkpoint_path(which); }

 private:
  Config cfg_;
  Communicator& comm_;
  TrainingData data_;
  torch::Device device_;
  Patch2LocNet net_{nullptr};
  std::unique_ptr<DataParallelLoop> loop_;
  std::unique_ptr<PatchSampler> sampler_;
  PatchBatch val_batch_;
  double chance_error_ = 0;
  LocationDensity density_;

  void draw_validation_patches();
  void write_density();
  // TrainingTask
  torch::Tensor step_loss(int64_t step, int64_t& samples) override;
  torch::Tensor batch_loss(const PatchBatch& batch);
  void after_step(int64_t step) override;
  void save_extra(TrainingState& state) override;
  void load_extra(const TrainingState& state) override;
  void finish() override { write_density(); }
};

}  // namespace p2l
