#pragma once
// The data-parallel training runtime every model of this project shares (Patch2Loc and the
// autoencoder baseline): Adam with the learning-rate schedule, gradients averaged over ranks in
// buckets overlapped with backward, bf16 autocast, best/last checkpoints with automatic resume
// from last, preemption on SIGTERM/SIGUSR1, logs and progress. A TrainingTask supplies what
// differs: the loss of a step and the validation.
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/RunConfig.hpp"
#include "config/TrainConfig.hpp"
#include "model/AutocastScope.hpp"
#include "train/Checkpoint.hpp"
#include "train/TrainingLog.hpp"
#include "train/TrainingPrecision.hpp"

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

class TrainingTask {
 public:
  virtual ~TrainingTask() = default;
  // The loss of 0-based step `step` on this rank's share of the batch (forward pass only);
  // `samples` receives the number of samples it used.
  virtual torch::Tensor step_loss(int64_t step, int64_t& samples) = 0;
  // Validation over every rank (collective), starting with DataParallelLoop::broadcast_state
  // so every rank holds rank 0's BatchNorm statistics; the loop fills in the wall time.
  virtual ValidationRecord validate() = 0;
  // Collective hooks: after each step, before a checkpoint is written (add to `state`), after a
  // checkpoint was read, and at the end of run().
  virtual void after_step(int64_t step) {}
  virtual void save_extra(TrainingState& state) {}
  virtual void load_extra(const TrainingState& state) {}
  virtual void finish() {}
};

struct LoopOptions {
  TrainConfig train;          // steps, lr and schedule, cadences, precision, buckets
  int64_t seed = 0;
  std::string output_dir;     // checkpoints/{best,last}.pt, train.log, train_log.jsonl
  std::string config_yaml;    // stored in every checkpoint
  ModelFacts facts;           // stored in every checkpoint (train/ModelFacts.hpp)
  int64_t samples_per_rank = 1;  // per step, for train.lr_scaling
  LogWords words;
};

class DataParallelLoop {
 public:
  // `model` must already live on `device`. Builds Adam and the gradient reducer, broadcasts rank
  // 0's parameters and buffers, and opens the logs.
  DataParallelLoop(LoopOptions opt, Communicator& comm, torch::nn::Module& model, torch::Device device);
  ~DataParallelLoop();

  // Restores model, optimiser, step and the task's extra state from "last" when it exists.
  void resume(TrainingTask& task);
  // One optimisation step: sets the step's learning rate, runs `loss` (forward) and backward
  // with the all-reduce, steps Adam; returns the loss averaged over ranks. Does not count a step.
  double optimise(const std::function<torch::Tensor()>& loss);
  // The same step without the loss's reduction: this rank's loss, still on the device.
  torch::Tensor optimise_local(const std::function<torch::Tensor()>& loss);
  // Trains until train.steps or a preemption signal; writes "last" at the end either way.
  TrainOutcome run(TrainingTask& task);
  // Rank 0's BatchNorm buffers (and parameters when asked) to every rank.
  void broadcast_state(bool parameters);

  // For TrainingTask::validate: broadcasts rank 0's buffers, then keeps the model in eval mode
  // without gradients until the scope ends, when the previous mode returns.
  class ValidationScope {
   public:
    explicit ValidationScope(torch::nn::Module& m) : m_(m), was_training_(m.is_training()) { m_.eval(); }
    ~ValidationScope() { m_.train(was_training_); }

   private:
    torch::nn::Module& m_;
    bool was_training_;
    torch::NoGradGuard no_grad_;
  };
  ValidationScope begin_validation() {
    broadcast_state(false);
    return ValidationScope(model_);
  }
  // The record over all ranks from this rank's sums over its validation samples (collective):
  // loss = sum(loss_sum) / sum(count), error likewise.
  ValidationRecord validation_record(double loss_sum, double error_sum, double count, double chance_error);

  int64_t step() const { return step_; }
  // train.precision resolved for the device: kBf16 or kFp32.
  Precision precision() const { return precision_.precision; }
  // Autocast at that precision while the returned scope lives (forward passes only).
  AutocastScope autocast() const { return AutocastScope(precision_.precision, device_.is_cuda(), "train.precision"); }
  torch::Device device() const { return device_; }
  double learning_rate() const;  // of the next step
  double last_allreduce_seconds() const { return allreduce_seconds_; }
  std::string checkpoint_path(const std::string& which) const;
  TrainingLog& log() { return *log_; }
  Communicator& comm() { return comm_; }

 private:
  LoopOptions opt_;
  Communicator& comm_;
  torch::nn::Module& model_;
  torch::Device device_;
  TrainingPrecision precision_;
  std::unique_ptr<torch::optim::Adam> adam_;  // a FusedAdam
  std::unique_ptr<GradientReducer> reducer_;
  std::unique_ptr<TrainingLog> log_;
  double base_lr_ = 0;
  int64_t step_ = 0;
  double best_val_loss_;
  double allreduce_seconds_ = 0;

  double bucket_bytes() const;
  void save(const std::string& which, TrainingTask& task);
  struct StepTotals {
    double mean_loss = 0;  // over ranks
    int64_t samples = 0;   // over ranks
    bool preempted = false;  // on any rank
  };
  // One collective and one small read-back per step for what the log and the preemption vote
  // need: the only device-to-host transfer of a training step.
  StepTotals step_totals(const torch::Tensor& local_loss, int64_t samples);
};

// The per-step sampling seed: a hash of (seed, rank, step), so training is resumable by step.
uint64_t step_seed(uint64_t seed, int rank, int64_t step);
// A generator seeded with `seed` on `device`, so a step's random numbers are drawn where its
// data lives (CPU: the same stream as at::make_generator<at::CPUGeneratorImpl>(seed)).
torch::Generator seeded_generator(uint64_t seed, torch::Device device);

// train.device resolved for a rank: cuda:<local rank mod GPUs> or cpu (throws when cuda is
// requested without CUDA).
torch::Device training_device(const TrainConfig& cfg, int local_rank);

// What every training executable does first: this process's rank from the launcher's
// environment, the communicator after the rendezvous (train.backend, train.timeout_s), which
// places the rank on its node, then the device and CPU threads (run.threads, else the cores
// shared by the node's ranks) from that placement.
std::unique_ptr<Communicator> join_training_ranks(const RunConfig& run, const TrainConfig& train);

}  // namespace p2l
