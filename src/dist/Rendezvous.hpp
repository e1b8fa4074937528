#pragma once
// Who this process is in a multi-process job and where rank 0's TCPStore listens, read from
// the launcher's environment so one binary works under mpirun, srun and torchrun-style env.
// The rank's node is not read here: the ranks exchange their node identities when they meet
// (Communicator, dist/NodePlacement.hpp); what the launcher says of it is kept as a claim to check.
#include <string>

#include "config/NamedEnum.hpp"
#include "dist/NodePlacement.hpp"

namespace p2l {

// What started this process, as rank_from_environment reads it.
enum class Launcher { kSingle, kMpi, kSlurm, kEnv };
inline const NamedEnum<Launcher>& launchers() {
  static const NamedEnum<Launcher> e{
      {Launcher::kSingle, "single"}, {Launcher::kMpi, "mpi"}, {Launcher::kSlurm, "slurm"}, {Launcher::kEnv, "env"}};
  return e;
}

struct RankInfo {
  int rank = 0;
  int size = 1;  // processes in the job
  // Set by the rendezvous from the exchanged node identities; a rank that has not met the
  // others yet is alone on its node.
  int node = 0, nodes = 1;
  int local_rank = 0;
  int local_size = 1;  // processes on this node (they split its CPU threads)
  Launcher launcher = Launcher::kSingle;
  // What the launcher's variables say of this rank's node, checked at the rendezvous.
  LauncherClaim claimed_local_rank, claimed_local_size;
};

struct MasterEndpoint {
  std::string host;
  int port = 0;
};

// OMPI_COMM_WORLD_* (mpirun), then SLURM_PROCID/NTASKS (srun), then RANK/WORLD_SIZE; else one
// process. The local rank and size the launcher sets (OMPI_COMM_WORLD_LOCAL_*, SLURM_LOCALID
// with SLURM_TASKS_PER_NODE at SLURM_NODEID, LOCAL_RANK/LOCAL_WORLD_SIZE) become the claims.
// Throws when the values are inconsistent.
RankInfo rank_from_environment();

// MASTER_ADDR/MASTER_PORT when set. Otherwise: under mpirun rank 0 picks a free port and
// broadcasts its host name (127.0.0.1 when MPI places every rank on its node) and the port over
// the MPI world (dist/World.hpp; a world started for this ends straight away; its rank and size
// must agree with `who`, else this throws);
// under Slurm the first host of SLURM_JOB_NODELIST and a port derived from SLURM_JOB_ID; a
// single process gets 127.0.0.1 and a free port.
MasterEndpoint resolve_master(const RankInfo& who);

// A TCP port on this host that was free a moment ago.
int pick_free_port();

}  // namespace p2l
