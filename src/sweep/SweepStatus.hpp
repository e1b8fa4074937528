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
#include "sweep/SweepPlan.hpp"

namespace p2l {

// not submitted, pending, running, requeued (preempted, waiting to resume), done, failed,
// cancelled (never started: a dependency failed or the job was cancelled), unknown (squeue
// failed and no status file speaks for the job).
struct StageState {
  std::string stage, state = "not submitted", job, detail;
  bool done() const { return state == "done"; }
  bool queued() const { return state == "pending" || state == "running" || state == "requeued"; }
};

struct PointStatus {
  const SweepPoint* point = nullptr;
  std::vector<StageState> stages;
  long last_step = -1;                 // last training step logged; -1: no log yet
  double train_seconds = 0;            // wall time of training so far (summed over resumed runs)
  double best_val_error = std::nan("");  // lowest validation error logged
  const StageState* current() const;   // first stage not done; nullptr when all are
  bool done() const { return current() == nullptr; }
  bool queued() const;                 // a stage is pending, running or requeued
  std::string state() const;           // e.g. "failed (train: exit 1)", "done"
  std::string jobs() const;            // e.g. "train 12_0, evaluate 13_0"
  // e.g. "150/300" or, while training runs, "150/300, 4.2/s, ETA 36s".
  std::string progress() const;
};

struct SweepStatus {
  StageState preprocess, report;
  std::vector<PointStatus> points;
  std::string sources;  // what the states were read from, e.g. "squeue, status files"
  bool queue_known = true;  // squeue answered; without it nothing may be submitted
};

// The pipeline stages of one point, in order.
std::vector<std::string> point_stages(const SweepPoint& p);
// The executable a stage runs (its status file's name).
std::string stage_executable(const std::string& stage);

// Job id -> Slurm state; nullopt when that source is unavailable (no squeue, no accounting).
using JobStates = std::optional<std::map<std::string, std::string>>;

// One stage of one point: `job` is its latest job from the ledger ("" when never submitted),
// `file` what the job's step last wrote.
StageState stage_state(const std::string& stage, const std::string& job, const StageStatusFile& file,
                       const JobStates& queue, const JobStates& accounting);

SweepStatus read_sweep_status(const SweepPlan& plan);
// The table `p2l-sweep status` prints: point, swept values, state, jobs, training progress
// (step/steps, rate and ETA while training runs), best validation error.
std::string format_status_table(const SweepPlan& plan, const SweepStatus& s);

}  // namespace p2l
