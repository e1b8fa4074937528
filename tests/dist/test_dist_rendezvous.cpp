#include <gtest/gtest.h>

#include <cstdlib>

#include "dist/Rendezvous.hpp"

using namespace p2l;

namespace {
void clear_launcher_env() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK",
                        "OMPI_COMM_WORLD_LOCAL_SIZE", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID",
                        "SLURM_NNODES", "SLURM_NODEID", "SLURM_TASKS_PER_NODE", "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                        "MASTER_ADDR", "MASTER_PORT"})
    unsetenv(v);
}
}  // namespace

TEST(DistRendezvous, SingleProcessWithoutLauncher) {
  clear_launcher_env();
  RankInfo r = rank_from_environment();
  EXPECT_EQ(r.rank, 0);
  EXPECT_EQ(r.size, 1);
  EXPECT_EQ(r.launcher, Launcher::kSingle);
}

TEST(DistRendezvous, MpiVariablesWinOverSlurmAndEnv) {
  clear_launcher_env();
  setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  setenv("OMPI_COMM_WORLD_RANK", "3", 1);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);
  setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
  setenv("SLURM_PROCID", "0", 1);
  setenv("SLURM_NTASKS", "8", 1);
  RankInfo r = rank_from_environment();
  EXPECT_EQ(r.launcher, Launcher::kMpi);
  EXPECT_EQ(r.rank, 3);
  EXPECT_EQ(r.size, 4);
  EXPECT_EQ(r.claimed_local_rank.text(), "OMPI_COMM_WORLD_LOCAL_RANK=1");
  EXPECT_EQ(r.claimed_local_size.text(), "OMPI_COMM_WORLD_LOCAL_SIZE=2");
  // Not met the other ranks yet: alone on its node until the rendezvous places it.
  EXPECT_EQ(r.local_rank, 0);
  EXPECT_EQ(r.local_size, 1);
  clear_launcher_env();
}

TEST(DistRendezvous, SlurmThenEnvVariables) {
  clear_launcher_env();
  setenv("SLURM_PROCID", "5", 1);
  setenv("SLURM_NTASKS", "8", 1);
  setenv("SLURM_LOCALID", "1", 1);
  setenv("SLURM_NNODES", "2", 1);
  setenv("SLURM_NODEID", "1", 1);
  setenv("SLURM_TASKS_PER_NODE", "5,3", 1);  // uneven: not 8 / 2 on each node
  RankInfo s = rank_from_environment();
  EXPECT_EQ(s.launcher, Launcher::kSlurm);
  EXPECT_EQ(s.rank, 5);
  EXPECT_EQ(s.claimed_local_rank.text(), "SLURM_LOCALID=1");
  EXPECT_EQ(s.claimed_local_size.value, 3);
  clear_launcher_env();
  setenv("RANK", "1", 1);
  setenv("WORLD_SIZE", "2", 1);
  setenv("MASTER_ADDR", "10.0.0.7", 1);
  setenv("MASTER_PORT", "29511", 1);
  RankInfo e = rank_from_environment();
  EXPECT_EQ(e.launcher, Launcher::kEnv);
  EXPECT_EQ(e.rank, 1);
  EXPECT_FALSE(e.claimed_local_rank.set());  // no LOCAL_RANK: no claim, not a default of 0
  EXPECT_FALSE(e.claimed_local_size.set());
  MasterEndpoint m = resolve_master(e);
  EXPECT_EQ(m.host, "10.0.0.7");
  EXPECT_EQ(m.port, 29511);
  clear_launcher_env();
}

TEST(DistRendezvous, RankOutsideWorldIsAnError) {
  clear_launcher_env();
  setenv("RANK", "2", 1);
  setenv("WORLD_SIZE", "2", 1);
  EXPECT_THROW(rank_from_environment(), std::runtime_error);
  setenv("RANK", "x", 1);
  EXPECT_THROW(rank_from_environment(), std::runtime_error);
  clear_launcher_env();
}

TEST(DistRendezvous, FreePortIsBindable) {
  int p = pick_free_port();
  EXPECT_GT(p, 1023);
  EXPECT_LT(p, 65536);
}
