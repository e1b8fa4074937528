#include "dist/Rendezvous.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "dist/NetworkInterface.hpp"
#include "dist/World.hpp"

namespace p2l {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

int env_int(const char* name, int fallback) {
  const char* v = env(name);
  if (!v) return fallback;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (*end != '\0') throw std::runtime_error(std::string(name) + ": '" + v + "' is not an integer");
  return int(x);
}

// First host of a Slurm node list ("node[01-04],gpu7" -> "node01"), via scontrol, which
// understands every nodelist syntax.
std::string first_slurm_host(const std::string& nodelist) {
  std::string cmd = "scontrol show hostnames '" + nodelist + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string host;
  if (p) {
    std::array<char, 256> buf{};
    if (fgets(buf.data(), buf.size(), p)) host = buf.data();
    pclose(p);
  }
  while (!host.empty() && (host.back() == '\n' || host.back() == ' ')) host.pop_back();
  if (host.empty())
    throw std::runtime_error("SLURM_JOB_NODELIST: cannot expand '" + nodelist +
                             "' with scontrol; set MASTER_ADDR");
  return host;
}

// Rank 0 shares its host name and a free port with the other ranks through the MPI world
// (dist/World.hpp). A world started here for this exchange ends straight away (MPI_Finalize):
// training talks over c10d.
MasterEndpoint broadcast_from_rank0(const RankInfo& who) {
  const bool started_here = !world_started();
  World& w = world();
  if (w.rank() != who.rank || w.size() != who.size) {
    const std::string mpi = "rank " + std::to_string(w.rank()) + " of " + std::to_string(w.size());
    if (started_here) end_world();
    throw std::runtime_error("OMPI_COMM_WORLD_RANK/SIZE say rank " + std::to_string(who.rank) + " of " +
                             std::to_string(who.size) + ", MPI says " + mpi);
  }
  std::string host;
  std::vector<int> port(1, 0);
  if (who.rank == 0) {
    port[0] = pick_free_port();
    std::array<char, 256> name{};
    if (gethostname(name.data(), name.size() - 1) != 0) std::strcpy(name.data(), "127.0.0.1");
    if (w.local_size() == w.size()) std::strcpy(name.data(), "127.0.0.1");  // MPI's node: all here
    host = name.data();
    if (const auto chosen = selected_network_interface()) host = chosen->address;
  }
  w.broadcast(host);
  w.broadcast(port);
  if (started_here) end_world();
  return {host, port[0]};
}

// The launcher's value of `name` as a claim, when it set one.
LauncherClaim claim(const char* name) {
  if (!env(name)) return {};
  return {name, env_int(name, 0)};
}

}  // namespace

RankInfo rank_from_environment() {
  RankInfo r;
  if (env("OMPI_COMM_WORLD_SIZE")) {
    r.launcher = Launcher::kMpi;
    r.rank = env_int("OMPI_COMM_WORLD_RANK", 0);
    r.size = env_int("OMPI_COMM_WORLD_SIZE", 1);
    r.claimed_local_rank = claim("OMPI_COMM_WORLD_LOCAL_RANK");
    r.claimed_local_size = claim("OMPI_COMM_WORLD_LOCAL_SIZE");
  } else if (env("SLURM_PROCID") && env("SLURM_NTASKS")) {
    r.launcher = Launcher::kSlurm;
    r.rank = env_int("SLURM_PROCID", 0);
    r.size = env_int("SLURM_NTASKS", 1);
    r.claimed_local_rank = claim("SLURM_LOCALID");
    if (env("SLURM_TASKS_PER_NODE"))
      r.claimed_local_size = {"SLURM_TASKS_PER_NODE[SLURM_NODEID]",
                               slurm_tasks_on_node(env("SLURM_TASKS_PER_NODE"), env_int("SLURM_NODEID", 0))};
  } else if (env("WORLD_SIZE")) {
    r.launcher = Launcher::kEnv;
    r.rank = env_int("RANK", 0);
    r.size = env_int("WORLD_SIZE", 1);
    r.claimed_local_rank = claim("LOCAL_RANK");
    r.claimed_local_size = claim("LOCAL_WORLD_SIZE");
  }
  if (r.size < 1 || r.rank < 0 || r.rank >= r.size)
    throw std::runtime_error("rank " + std::to_string(r.rank) + " of world " +
                             std::to_string(r.size) + " from the " + launchers().id(r.launcher) +
                             " environment is invalid");
  return r;
}

MasterEndpoint resolve_master(const RankInfo& who) {
  if (env("MASTER_ADDR") && env("MASTER_PORT"))
    return {env("MASTER_ADDR"), env_int("MASTER_PORT", 0)};
  if (who.size == 1) return {"127.0.0.1", 0};  // no store is needed
  if (who.launcher == Launcher::kMpi) return broadcast_from_rank0(who);
  if (who.launcher == Launcher::kSlurm) {
    const char* nodes = env("SLURM_JOB_NODELIST") ? env("SLURM_JOB_NODELIST") : env("SLURM_NODELIST");
    if (!nodes) throw std::runtime_error("SLURM_JOB_NODELIST: not set; set MASTER_ADDR and MASTER_PORT");
    std::string host = env("MASTER_ADDR") ? env("MASTER_ADDR") : first_slurm_host(nodes);
    // Ports 20000..39999, one per job, so concurrent jobs on a node do not collide.
    int port = env("MASTER_PORT") ? env_int("MASTER_PORT", 0) : 20000 + env_int("SLURM_JOB_ID", 0) % 20000;
    return {host, port};
  }
  throw std::runtime_error("MASTER_ADDR/MASTER_PORT: must be set for a " + std::to_string(who.size) +
                           "-process job launched by RANK/WORLD_SIZE");
}

int pick_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket(): cannot pick a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("bind(): cannot pick a free port");
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace p2l
