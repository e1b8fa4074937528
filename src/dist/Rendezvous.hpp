#pragma once
// Who this process is in a multi-process job and where rank 0's TCPStore listens, read from
// the launcher's environment so one binary works under mpirun, srun and torchrun-style env.
#include <string>

namespace p2l {

struct RankInfo {
  int rank = 0;
  int world = 1;
  int local_rank = 0;
  int local_world = 1;       // processes on this node (splits the CPU threads)
  std::string launcher = "single";  // "mpi", "slurm", "env" or "single"
};

struct MasterEndpoint {
  std::string host;
  int port = 0;
};

// OMPI_COMM_WORLD_* (mpirun), then SLURM_PROCID/NTASKS/LOCALID (srun), then RANK/WORLD_SIZE/
// LOCAL_RANK; else one process. Throws when the values are inconsistent.
RankInfo rank_from_environment();

// MASTER_ADDR/MASTER_PORT when set. Otherwise: under mpirun rank 0 picks a free port and
// broadcasts its host name and the port over the MPI world (dist/World.hpp; a world started
// for this ends straight away; its rank and size must agree with `who`, else this throws);
// under Slurm the first host of SLURM_JOB_NODELIST and a port derived from SLURM_JOB_ID; a
// single process gets 127.0.0.1 and a free port.
MasterEndpoint resolve_master(const RankInfo& who);

// A TCP port on this host that was free a moment ago.
int pick_free_port();

}  // namespace p2l
