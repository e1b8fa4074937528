#pragma once
// The c10d process group of a run: a TCPStore on rank 0 plus Gloo (CPU) or NCCL (CUDA builds
// with GPUs). With one process every collective is a no-op, so single-rank runs need no network.
// Every collective waits at most `timeout`, so a dead peer ends the job with an error.
#include <ATen/core/Tensor.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "dist/Rendezvous.hpp"

namespace p2l {

class Communicator {
 public:
  // `backend`: "auto" (NCCL when compiled in and `use_gpu`, else Gloo), "gloo" or "nccl".
  Communicator(const RankInfo& who, const MasterEndpoint& master, const std::string& backend,
               bool use_gpu, std::chrono::milliseconds timeout);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  // Rendezvous from the environment (see Rendezvous.hpp).
  static std::unique_ptr<Communicator> from_environment(const std::string& backend, bool use_gpu,
                                                        double timeout_s);

  int rank() const { return who_.rank; }
  int world() const { return who_.world; }
  const RankInfo& who() const { return who_; }
  std::string backend_name() const;

  // In-place SUM over ranks of one dense contiguous tensor (see TensorBuckets.hpp for many).
  void allreduce_sum(at::Tensor& tensor);
  // Starts the in-place SUM and returns at once; calling the returned function waits for it
  // (same timeout and errors as allreduce_sum). The tensor must stay untouched until then.
  std::function<void()> allreduce_sum_async(at::Tensor& tensor);
  // In-place copy of rank `root`'s tensor to every rank.
  void broadcast(at::Tensor& tensor, int root = 0);
  void barrier();

 public:
  struct Collectives;  // the c10d group behind the calls (none with one process)

 private:
  RankInfo who_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Collectives> impl_;
};

}  // namespace p2l
