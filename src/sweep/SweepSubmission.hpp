#pragma once
// What `p2l-sweep submit` (and `nightly`) hands to sbatch: preprocessing once, training as one
// array over the points that need it (and the autoencoder when the evaluation reads it: one job
// when it is shared, else a second array), evaluation as arrays, and a report job. Training waits for
// preprocessing (afterok); each evaluation task waits for the training tasks of its own point
// (aftercorr), so one failed point blocks nothing else; with the spec's `fuse`, one job
// evaluates every point's checkpoint together once every training succeeded (afterok); the
// report waits for every evaluation to end (afterany) and lists failed points as failed. A
// resubmission leaves out the points that are done or still queued and the stages already done.
#include <string>
#include <utility>
#include <vector>

#include "sweep/ClusterProfile.hpp"
#include "sweep/SweepPlan.hpp"
#include "sweep/SweepStatus.hpp"

namespace p2l {

struct SbatchCall {
  SweepStage stage;
  std::vector<int> indices;     // array task ids; empty: a single job
  // (afterok | aftercorr | afterany, call index in this submission)
  std::vector<std::pair<std::string, size_t>> after;
  std::vector<std::pair<std::string, std::string>> after_jobs;  // on jobs already queued
  std::vector<std::pair<std::string, std::string>> env;         // for the job (sbatch passes it on)
  std::vector<std::string> argv;  // sbatch command without --dependency
};

struct Submission {
  std::vector<SbatchCall> calls;
  std::vector<std::string> notes;  // what was left out and why
};

enum class SubmitMode { Pipeline, Nightly };

// Pipeline: every stage not done. Nightly: evaluation of every trained point again (and the
// fused evaluation when every point is trained), then the report job running
// `p2l-sweep nightly --compare-only`.
struct SubmitContext {
  std::string source_dir;  // the checkout: slurm/*.sbatch and relative config paths
  std::string bin_dir;     // the executables (P2L_BIN of the jobs)
};
Submission plan_submission(const SweepPlan& plan, const ClusterProfile& cluster, const SweepStatus& status,
                           SubmitMode mode, const SubmitContext& where);

// The command line of call i with its dependency written as given ids (dry runs use
// "<stage id>" placeholders).
std::vector<std::string> sbatch_command(const Submission& s, size_t i, const std::vector<std::string>& ids);

// Runs every call in order, appends each job to the ledger and returns the job ids; throws
// with sbatch's message when a submission fails (jobs submitted before it stay recorded).
std::vector<std::string> run_submission(const SweepPlan& plan, const Submission& s);

}  // namespace p2l
