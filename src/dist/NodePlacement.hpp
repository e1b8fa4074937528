#pragma once
// Which node each rank of a job runs on, decided from what the ranks exchange at rendezvous
// (every rank's node identity), not from launcher variables: a launcher may set none of them
// (RANK/WORLD_SIZE alone), guess them (Slurm with uneven tasks per node) or lie. Every per-node
// decision (the one writer of the node's training slices, the rank that prints node lines,
// the GPU `cuda:<local rank>`, the per-node thread split) reads the placement.
#include <string>
#include <vector>

namespace p2l {

// This process's node: host name, kernel boot id, and the device and inode of `shm_dir` (the
// node's RAM file system). Two hosts never share it (their boot ids differ), ranks of one host
// always do, and hosts in separate mount namespaces (each with its own /dev/shm, as network-
// namespace test hosts have) count as different nodes, since they share no memory through it.
std::string node_identity(const std::string& shm_dir = "/dev/shm");

// The host name part of an identity, for log lines.
std::string node_host(const std::string& identity);

struct NodePlacement {
  int node = 0;        // nodes are numbered in order of their lowest rank
  int nodes = 1;
  int local_rank = 0;  // ranks below this one on the same node
  int local_size = 1;  // ranks on the node
};

// Every rank's placement, given every rank's identity (indexed by rank).
std::vector<NodePlacement> place_ranks(const std::vector<std::string>& identities);
// The placement of `rank` alone (throws std::out_of_range for a rank outside the job).
NodePlacement place_rank(const std::vector<std::string>& identities, int rank);

// One value a launcher set for a rank's place on its node (OMPI_COMM_WORLD_LOCAL_RANK=1, say);
// an empty `variable` means the launcher set none.
struct LauncherClaim {
  std::string variable;
  int value = 0;
  bool set() const { return !variable.empty(); }
  std::string text() const { return variable + "=" + std::to_string(value); }
};

// What one rank brings to the rendezvous: its node identity and what its launcher claimed.
struct RankNodeReport {
  std::string identity;
  LauncherClaim local_rank, local_size;
};
std::string encode_report(const RankNodeReport& report);
RankNodeReport decode_report(const std::string& text);

// One line for every launcher claim that disagrees with the placement the reports (indexed by
// rank) give, naming the rank, the variable and the exchanged fact, which wins.
std::vector<std::string> launcher_disagreements(const std::vector<RankNodeReport>& reports);

// Tasks on node `node_index` of a Slurm allocation from SLURM_TASKS_PER_NODE ("2(x3),1": two
// tasks on each of the first three nodes, one on the fourth). Throws on a malformed value or an
// index past the list.
int slurm_tasks_on_node(const std::string& tasks_per_node, int node_index);

}  // namespace p2l
