#pragma once
// The c10d process group of a run: a TCPStore on rank 0 plus Gloo (CPU) or NCCL (CUDA builds
// with GPUs). With one process every collective is a no-op, so single-rank runs need no network
// (`force_group` builds the group anyway, for tests of a one-rank NCCL group).
// Every collective waits at most `timeout`, so a dead peer ends the job with an error.
// Meeting the other ranks also places this rank on its node: every rank publishes its node
// identity in the store, and who() then holds the exchanged placement (dist/NodePlacement.hpp).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/RuntimeChoices.hpp"
#include "dist/Rendezvous.hpp"

namespace p2l {

class Communicator {
 public:
  // This rank's compute device, chosen from its placement (cuda:<local rank>, say).
  using DeviceRule = std::function<c10::Device(const RankInfo& placed)>;

  // `who`: rank and size from the launcher (its local rank and size are only claims, checked
  // against the exchange). `backend`: kAuto is NCCL when the device is CUDA, else Gloo.
  // `device_of`: the rank's device once placed; NCCL runs on it.
  Communicator(const RankInfo& who, const MasterEndpoint& master, Backend backend,
               const DeviceRule& device_of, std::chrono::milliseconds timeout, bool force_group = false);
  // The same with one device whatever the placement.
  Communicator(const RankInfo& who, const MasterEndpoint& master, Backend backend,
               c10::Device device, std::chrono::milliseconds timeout, bool force_group = false);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  // Rendezvous from the environment (see Rendezvous.hpp).
  static std::unique_ptr<Communicator> from_environment(Backend backend, c10::Device device,
                                                        double timeout_s);

  int rank() const { return who_.rank; }
  int size() const { return who_.size; }  // processes in the job
  const RankInfo& who() const { return who_; }  // placed on its node by the exchange
  c10::Device device() const { return device_; }
  // One line per rank whose launcher variables disagree with the exchanged placement (the same
  // lines on every rank; the exchanged placement is in force).
  const std::vector<std::string>& placement_warnings() const { return placement_warnings_; }
  std::string backend_name() const;
  // Whether this build holds c10d's NCCL backend (a CUDA LibTorch).
  static bool nccl_compiled();

  // In-place SUM over ranks of one dense contiguous tensor (see TensorBuckets.hpp for many).
  // Under NCCL a CPU tensor is staged through the device (for the few scalars of a step); the
  // reducer's buckets already live there. NCCL waits are stream-ordered: the host does not block,
  // later kernels on the current stream wait for the reduction.
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
  c10::Device device_{c10::kCPU};
  std::vector<std::string> placement_warnings_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Collectives> impl_;
};

}  // namespace p2l
