#pragma once
// The Slurm commands p2l-sweep runs (sbatch, squeue, sacct), as child processes with their
// output captured. Queries degrade instead of failing: without slurmctld or without
// accounting the caller falls back to the status files the jobs write.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace p2l {

struct CommandResult {
  int rc = -1;  // exit status; 127 when the program could not be started
  std::string out, err;
};

// Runs argv[0] found on PATH with extra environment variables; waits for it.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env = {});

// "JOBID" or "ARRAYID_TASK" -> Slurm state (PENDING, RUNNING, ...) of this user's jobs in the
// queue (array tasks listed one by one); nullopt when squeue fails (no controller reachable).
// `reasons` (when given) gets each job's squeue reason, e.g. Dependency, Resources, None.
std::optional<std::map<std::string, std::string>> queued_jobs(std::map<std::string, std::string>* reasons = nullptr);

// Final states from accounting (sacct) for the given job ids, array tasks expanded; nullopt
// when the cluster keeps no accounting (sacct fails), so only the run folders can tell.
std::optional<std::map<std::string, std::string>> accounted_jobs(const std::vector<std::string>& job_ids);

// A command line as one shell-quoted string (for --dry-run and logs).
std::string shell_line(const std::vector<std::string>& argv);

}  // namespace p2l
