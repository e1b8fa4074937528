// The process's world over MPI (dist/World.hpp). The only file of the project that calls MPI.
#include <mpi.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "dist/World.hpp"

namespace p2l {
namespace {

constexpr int kCountTag = 17;  // the progress channel's messages

class MpiWorld final : public World {
 public:
  MpiWorld() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    owns_mpi_ = !initialised;
    if (owns_mpi_) {
      // Serialized: every MPI call comes from one thread at a time (the stages call from their
      // main thread), the level the training rendezvous has always asked for.
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    }
    // Communication errors end the whole job (the default, made explicit) instead of hanging.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &local_rank_);
    MPI_Comm_size(node, &local_size_);
    MPI_Comm_free(&node);
  }

  ~MpiWorld() override {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (owns_mpi_ && !finalised) MPI_Finalize();
  }

  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }

  void barrier() override { MPI_Barrier(MPI_COMM_WORLD); }

  void broadcast(std::string& text, int root) override {
    long n = long(text.size());
    MPI_Bcast(&n, 1, MPI_LONG, root, MPI_COMM_WORLD);
    text.resize(size_t(n));
    MPI_Bcast(text.data(), int(n), MPI_CHAR, root, MPI_COMM_WORLD);
  }
  void broadcast(std::vector<int>& values, int root) override {
    MPI_Bcast(values.data(), int(values.size()), MPI_INT, root, MPI_COMM_WORLD);
  }
  void broadcast(std::vector<long>& values, int root) override {
    MPI_Bcast(values.data(), int(values.size()), MPI_LONG, root, MPI_COMM_WORLD);
  }

  std::string gather_text(const std::string& mine) override {
    int n = int(mine.size());
    std::vector<int> sizes(size_), displs(size_, 0);
    MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string all;
    if (rank_ == 0) {
      for (int r = 1; r < size_; ++r) displs[r] = displs[r - 1] + sizes[r - 1];
      all.resize(size_t(displs.back() + sizes.back()));
    }
    MPI_Gatherv(mine.data(), n, MPI_CHAR, all.data(), sizes.data(), displs.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
    return all;
  }

  void all_reduce_sum(std::vector<double>& values) override {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  }
  int all_reduce_sum(int value) override {
    int sum = value;
    MPI_Allreduce(&value, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    return sum;
  }

  void post_count(long count, bool final) override {
    MPI_Wait(&request_, MPI_STATUS_IGNORE);
    buf_[0] = count;
    buf_[1] = final ? 1 : 0;
    MPI_Isend(buf_, 2, MPI_LONG, 0, kCountTag, MPI_COMM_WORLD, &request_);
  }
  void wait_posted() override { MPI_Wait(&request_, MPI_STATUS_IGNORE); }
  std::optional<PostedCount> take_count(bool wait) override {
    int flag = 0;
    MPI_Status st;
    if (wait) {
      MPI_Probe(MPI_ANY_SOURCE, kCountTag, MPI_COMM_WORLD, &st);
      flag = 1;
    } else {
      MPI_Iprobe(MPI_ANY_SOURCE, kCountTag, MPI_COMM_WORLD, &flag, &st);
    }
    if (!flag) return std::nullopt;
    long msg[2];
    MPI_Recv(msg, 2, MPI_LONG, st.MPI_SOURCE, kCountTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return PostedCount{st.MPI_SOURCE, msg[0], msg[1] != 0};
  }

  [[noreturn]] void abort(const std::string& tool, const std::string& message) override {
    // One write, so the lines of several failing ranks do not interleave.
    std::cerr << fatal_line(tool, rank_, size_, message) << std::flush;
    MPI_Abort(MPI_COMM_WORLD, 2);
    std::exit(2);
  }

 private:
  bool owns_mpi_ = true;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  MPI_Request request_ = MPI_REQUEST_NULL;
  long buf_[2] = {0, 0};
};

// The process's one world; destroyed (MPI finalised) at exit unless end_world() came first.
struct WorldSlot {
  std::mutex mutex;
  std::unique_ptr<MpiWorld> world;
  bool ended = false;
};

WorldSlot& slot() {
  static WorldSlot s;
  return s;
}

}  // namespace

World& world() {
  WorldSlot& s = slot();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.ended) throw std::logic_error("the MPI world has ended (MPI_Finalize); MPI cannot start twice in one process");
  if (!s.world) s.world = std::make_unique<MpiWorld>();
  return *s.world;
}

bool world_started() {
  WorldSlot& s = slot();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.world != nullptr;
}

void end_world() {
  WorldSlot& s = slot();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.world.reset();
  s.ended = true;
}

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(text, &len);
  return std::string(text, size_t(len));
}

}  // namespace p2l
