#pragma once
// Where and how big each stage of a sweep runs on a cluster (configs/cluster/*.yaml): partition,
// account, QoS and extra sbatch options for every job, and per stage its time limit, nodes,
// tasks, GPUs and CPUs per task and extra options. Nothing site-specific lives in the code:
// an empty value leaves that option to the cluster's defaults and the #SBATCH lines.
#include <map>
#include <string>
#include <vector>

#include "sweep/SweepChoices.hpp"

namespace p2l {

struct StageResources {
  std::string time;        // sbatch --time; empty: the script's #SBATCH default
  int nodes = 0;           // 0: not given
  int ntasks = 0;          // 0: the script's default
  int ntasks_per_node = 0;
  int cpus_per_task = 0;
  int gpus_per_task = 0;
  std::string mem;         // sbatch --mem, e.g. 16G
  std::vector<std::string> extra;  // further sbatch options, verbatim
};

struct ClusterProfile {
  std::string path;
  std::string partition, account, qos;
  std::vector<std::string> extra;  // for every job, e.g. --mail-type=FAIL
  std::map<SweepStage, StageResources> stages;  // keyed by the stage ids under `stages:`

  // The sbatch options of one stage (job-wide settings first, then the stage's; fuse without
  // settings of its own takes evaluate's).
  std::vector<std::string> sbatch_options(SweepStage stage) const;
};

// Throws naming the file on unknown keys (with a suggestion), unknown stages and bad values.
ClusterProfile load_cluster_profile(const std::string& path);

}  // namespace p2l
