#pragma once
// The sweep's closed vocabularies and their stable ids: the stages (job names, jobs.tsv, cluster
// profiles, the status table), where a stage stands (status files, the status table), the
// spec's autoencoder mode and p2l-sweep's subcommands. Text becomes one of these where it is
// read; past that, code switches on the enums.
#include "config/NamedEnum.hpp"

namespace p2l {

// The jobs of a sweep, in pipeline order (a point's stages follow it). kFuse: the spec's `fuse`,
// one evaluation of every point's checkpoint together (a multi-scale evaluation), a job of the
// sweep rather than of a point.
enum class SweepStage { kPreprocess, kTrain, kTrainAe, kEvaluate, kFuse, kReport };
inline const NamedEnum<SweepStage>& sweep_stages() {
  static const NamedEnum<SweepStage> e{{SweepStage::kPreprocess, "preprocess"},
                                       {SweepStage::kTrain, "train"},
                                       {SweepStage::kTrainAe, "train-ae"},
                                       {SweepStage::kEvaluate, "evaluate"},
                                       {SweepStage::kFuse, "fuse"},
                                       {SweepStage::kReport, "report"}};
  return e;
}

// Where one stage stands. kRequeued: preempted with a checkpoint, waiting to resume;
// kCancelled: never started (a dependency failed, or scancel); kUnknown: squeue failed and no
// status file speaks for the job. kOtherInQueue: in the queue in a Slurm state with no word here
// (SUSPENDED, STOPPED, REQUEUE_HOLD, ...); it has no id, as it is shown as Slurm's own word.
enum class StageState {
  kNotSubmitted, kPending, kRunning, kRequeued, kDone, kFailed, kCancelled, kUnknown, kOtherInQueue
};
inline const NamedEnum<StageState>& stage_states() {
  static const NamedEnum<StageState> e{{StageState::kNotSubmitted, "not submitted"},
                                       {StageState::kPending, "pending"},
                                       {StageState::kRunning, "running"},
                                       {StageState::kRequeued, "requeued"},
                                       {StageState::kDone, "done"},
                                       {StageState::kFailed, "failed"},
                                       {StageState::kCancelled, "cancelled"},
                                       {StageState::kUnknown, "unknown"}};
  return e;
}
// The states a job step writes to its status file (slurm/job-steps.sh, p2l_status).
inline const NamedEnum<StageState>& status_file_states() {
  const auto& all = stage_states();
  static const NamedEnum<StageState> e{{StageState::kRunning, all.id(StageState::kRunning)},
                                       {StageState::kDone, all.id(StageState::kDone)},
                                       {StageState::kFailed, all.id(StageState::kFailed)},
                                       {StageState::kRequeued, all.id(StageState::kRequeued)}};
  return e;
}

// The spec's `autoencoder`: one shared autoencoder when no swept key changes it (auto), always
// (shared, an error when a swept key changes it) or one per point.
enum class AutoencoderMode { kAuto, kShared, kPerPoint };
inline const NamedEnum<AutoencoderMode>& autoencoder_modes() {
  static const NamedEnum<AutoencoderMode> e{
      {AutoencoderMode::kAuto, "auto"}, {AutoencoderMode::kShared, "shared"}, {AutoencoderMode::kPerPoint, "per_point"}};
  return e;
}

// The subcommands of p2l-sweep; the sweep's report job runs `report` or `nightly`.
enum class SweepCommand { kPlan, kSubmit, kStatus, kReport, kNightly };
inline const NamedEnum<SweepCommand>& sweep_commands() {
  static const NamedEnum<SweepCommand> e{{SweepCommand::kPlan, "plan"},
                                         {SweepCommand::kSubmit, "submit"},
                                         {SweepCommand::kStatus, "status"},
                                         {SweepCommand::kReport, "report"},
                                         {SweepCommand::kNightly, "nightly"}};
  return e;
}

}  // namespace p2l
