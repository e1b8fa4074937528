#pragma once
// What a sweep submitted and what its jobs said. DIR/jobs.tsv (the ledger) gets one line per
// sbatch: time, stage, job id, and the point indices of an array ("-" for single jobs); the
// latest line naming a point is that point's current job for the stage. Every job step writes
// a status file (slurm/job-steps.sh, p2l_status): DIR/<point>/sweep-status/<exe>.status for
// array tasks, DIR/sweep-status/<exe>.status for the single jobs, one line
// "state=running|done|failed|requeued job=ID restart=N rc=N time=ISO". Both files are read
// into the enums of sweep/SweepChoices.hpp; an unknown stage or state is an error naming the
// file.
#include <optional>
#include <string>
#include <vector>

#include "sweep/SweepChoices.hpp"

namespace p2l {

struct LedgerEntry {
  std::string time;
  SweepStage stage;
  std::string job_id;
  std::vector<int> indices;  // empty: a single job
};

class JobLedger {
 public:
  explicit JobLedger(std::string path);
  const std::vector<LedgerEntry>& entries() const { return entries_; }
  // Appends one line to the file (and to entries()).
  void append(const LedgerEntry& e);
  // The job id of the stage's latest job for point `index` ("ARRAY_INDEX"), or of its latest
  // single job when index < 0; "" when none was submitted.
  std::string latest(SweepStage stage, int index) const;

 private:
  std::string path_;
  std::vector<LedgerEntry> entries_;
};

struct StageStatusFile {
  std::optional<StageState> state;  // nullopt: no file
  std::string job;
  int restart = 0, rc = 0;
  std::string time;
};

// The status file of executable `exe` under `folder` (a point's or the sweep's).
std::string status_file_path(const std::string& folder, const std::string& exe);
StageStatusFile read_status_file(const std::string& path);

}  // namespace p2l
