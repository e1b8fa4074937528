#pragma once
// The processes of one job and the few collectives the stages need from them: who am I (rank,
// size, local rank), text and plain arrays from rank 0 to all, text from all to rank 0, sums,
// a barrier, counts sent to rank 0 without waiting (progress), and aborting every rank.
//
// `world()` is the process's world over MPI (dist/MpiWorld.cpp): MPI is initialised once, on
// first use (under mpirun, srun, or as a plain process: Open MPI's singleton, a world of one),
// and finalised once, at exit or by end_world(). `SoloWorld` (dist/SoloWorld.hpp) is a world of
// one process without MPI, for stage logic under test. No header of the world includes <mpi.h>;
// the library p2l_dist_world has no LibTorch, so preprocessing can use it.
#include <optional>
#include <string>
#include <vector>

namespace p2l {

// One count a rank sent to rank 0 (World::post_count).
struct PostedCount {
  int rank = 0;
  long count = 0;
  bool final = false;  // the sender's last count
};

class World {
 public:
  virtual ~World() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual int local_rank() const = 0;  // rank among the processes on this node
  virtual int local_size() const = 0;  // processes on this node (they split its CPU cores)

  // Collectives: every rank calls them in the same order.
  virtual void barrier() = 0;
  // `text` of rank `root` on every rank.
  virtual void broadcast(std::string& text, int root = 0) = 0;
  // `values` of rank `root` on every rank; every rank passes the same length.
  virtual void broadcast(std::vector<int>& values, int root = 0) = 0;
  virtual void broadcast(std::vector<long>& values, int root = 0) = 0;
  // On rank 0, every rank's `mine` concatenated in rank order; on the other ranks, "".
  virtual std::string gather_text(const std::string& mine) = 0;
  // Element-wise sum over the ranks, in place, on every rank (same length everywhere).
  virtual void all_reduce_sum(std::vector<double>& values) = 0;
  virtual int all_reduce_sum(int value) = 0;

  // Progress channel, point to point: any rank sends counts to rank 0, which polls them.
  // post_count returns at once (after this rank's previous post has left).
  virtual void post_count(long count, bool final) = 0;
  // Waits until this rank's last post has left.
  virtual void wait_posted() = 0;
  // Rank 0: the next count that has arrived from any rank, or nothing; with `wait`, blocks
  // until one arrives.
  virtual std::optional<PostedCount> take_count(bool wait) = 0;

  // Prints "<tool> rank R/N: fatal: <message> (aborting all ranks)" to stderr in one write and
  // ends every rank of the job with exit code 2, so no rank is left waiting in a collective.
  [[noreturn]] virtual void abort(const std::string& tool, const std::string& message) = 0;
};

// The process's world over MPI, started on first call. Throws after end_world().
World& world();
// Whether world() has been called (and the world not ended).
bool world_started();
// Finalises MPI now instead of at exit; the world cannot start again in this process. For a
// process that needs MPI only briefly (the training rendezvous, dist/Rendezvous.hpp).
void end_world();

// The MPI library's version text (MPI_Get_library_version; needs no started world).
std::string mpi_library_version();

// The line World::abort prints.
std::string fatal_line(const std::string& tool, int rank, int size, const std::string& message);

}  // namespace p2l
