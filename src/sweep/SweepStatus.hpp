#pragma once
// The state of every point of a sweep, per stage (train, train-ae when the evaluation reads
// the autoencoder, evaluate): from the queue (squeue) for live jobs, from accounting (sacct)
// where the cluster keeps it, and otherwise from the status files the jobs wrote, so the
// answer needs no accounting. A point's state is that of its first stage not done.
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sweep/JobLedger.hpp"
#include "sweep/SweepChoices.hpp"
#include "sweep/SweepPlan.hpp"

namespace p2l {

// One stage of a point: where it stands, its latest job and why (exit code, squeue's reason,
// restart count, ...).
struct StageStatus {
  explicit StageStatus(SweepStage s) : stage(s) {}
  SweepStage stage;
  StageState state = StageState::kNotSubmitted;
  std::string job, detail;
  std::string slurm_state;  // kOtherInQueue: Slurm's word for it, lower case (e.g. suspended)
  bool done() const { return state == StageState::kDone; }
  bool queued() const;            // pending, running, requeued, or in the queue in another Slurm state
  std::string state_text() const;  // the state's id; for kOtherInQueue, slurm_state
  std::string described() const;   // e.g. "failed (train: exit 1)"; "done" when done
};

struct PointStatus {
  const SweepPoint* point = nullptr;
  std::vector<StageStatus> stages;
  long last_step = -1;                 // last training step logged; -1: no log yet
  double train_seconds = 0;            // wall time of training so far (summed over resumed runs)
  double best_val_error = std::nan("");  // lowest validation error logged
  const StageStatus* current() const;  // first stage not done; nullptr when all are
  bool done() const { return current() == nullptr; }
  bool queued() const;                 // a stage is queued (StageStatus::queued)
  std::string state() const;           // e.g. "failed (train: exit 1)", "done"
  std::string jobs() const;            // e.g. "train 12_0, evaluate 13_0"
  // e.g. "150/300" or, while training runs, "150/300, 4.2/s, ETA 36s".
  std::string progress() const;
};

struct SweepStatus {
  // The sweep's single stages; fuse only counts when the spec has `fuse` on.
  StageStatus preprocess{SweepStage::kPreprocess}, fuse{SweepStage::kFuse}, report{SweepStage::kReport};
  std::vector<PointStatus> points;
  std::string sources;  // what the states were read from, e.g. "squeue, status files"
  bool queue_known = true;  // squeue answered; without it nothing may be submitted
};

// The pipeline stages of one point, in order.
std::vector<SweepStage> point_stages(const SweepPoint& p);
// The executable a stage runs (its status file's name); the fused evaluation's is p2l-evaluate,
// its status file the sweep's (DIR/sweep-status/p2l-evaluate.status: no point's evaluation is a
// single job of the sweep).
std::string stage_executable(SweepStage stage);

// Job id -> Slurm state as Slurm prints it; nullopt when that source is unavailable (no squeue,
// no accounting). stage_status reads the state through one table per source.
using JobStates = std::optional<std::map<std::string, std::string>>;

// One stage of one point: `job` is its latest job from the ledger ("" when never submitted),
// `file` what the job's step last wrote.
StageStatus stage_status(SweepStage stage, const std::string& job, const StageStatusFile& file,
                         const JobStates& queue, const JobStates& accounting);

SweepStatus read_sweep_status(const SweepPlan& plan);
// The table `p2l-sweep status` prints: point, swept values, state, jobs, training progress
// (step/steps, rate and ETA while training runs), best validation error; then the sweep's
// single stages (preprocess, the fused evaluation when on, report).
std::string format_status_table(const SweepPlan& plan, const SweepStatus& s);

}  // namespace p2l
