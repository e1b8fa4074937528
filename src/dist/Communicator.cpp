#include "dist/Communicator.hpp"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <stdexcept>

namespace p2l {

// The collectives of one c10d process group. A template over the group type because LibTorch
// 1.x derives Gloo/NCCL from ProcessGroup and 2.x from Backend; both have the same calls.
struct Communicator::Collectives {
  virtual ~Collectives() = default;
  virtual void allreduce(at::Tensor& t) = 0;
  virtual std::function<void()> allreduce_async(at::Tensor& t) = 0;
  virtual void broadcast(at::Tensor& t, int root) = 0;
  virtual void barrier() = 0;
  virtual std::string name() const = 0;
};

namespace {

template <class Group>
struct GroupCollectives : Communicator::Collectives {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Group> group;
  std::chrono::milliseconds timeout;
  std::string label;

  void run(const c10::intrusive_ptr<c10d::Work>& w, const char* what) {
    try {
      w->wait(timeout);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(what) + " failed (a rank died or timed out after " +
                               std::to_string(timeout.count() / 1000.0) + " s): " + e.what());
    }
  }
  void allreduce(at::Tensor& t) override { allreduce_async(t)(); }
  std::function<void()> allreduce_async(at::Tensor& t) override {
    std::vector<at::Tensor> v{t};
    c10d::AllreduceOptions o;
    o.timeout = timeout;
    auto work = group->allreduce(v, o);
    return [this, work] { run(work, "all-reduce"); };
  }
  void broadcast(at::Tensor& t, int root) override {
    std::vector<at::Tensor> v{t};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    o.timeout = timeout;
    run(group->broadcast(v, o), "broadcast");
  }
  void barrier() override {
    c10d::BarrierOptions o;
    o.timeout = timeout;
    run(group->barrier(o), "barrier");
  }
  std::string name() const override { return label; }
};

std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_host) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"))
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (master_host == "127.0.0.1" || master_host == "localhost")
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

Communicator::Communicator(const RankInfo& who, const MasterEndpoint& master,
                           const std::string& backend, bool use_gpu,
                           std::chrono::milliseconds timeout)
    : who_(who), timeout_(timeout) {
  if (who.world == 1) return;
  c10d::TCPStoreOptions so;
  so.port = uint16_t(master.port);
  so.isServer = who.rank == 0;
  so.numWorkers = size_t(who.world);
  so.waitWorkers = true;
  so.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    store = c10::make_intrusive<c10d::TCPStore>(master.host, so);
  } catch (const std::exception& e) {
    throw std::runtime_error(master.host + ":" + std::to_string(master.port) +
                             ": rendezvous of rank " + std::to_string(who.rank) + " of " +
                             std::to_string(who.world) + " failed: " + e.what());
  }
  bool nccl = backend == "nccl" || (backend == "auto" && use_gpu);
#ifdef USE_C10D_NCCL
  if (nccl) {
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = timeout;
    auto g = std::make_unique<GroupCollectives<c10d::ProcessGroupNCCL>>();
    g->store = store;
    g->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, who.rank, who.world, opts);
    g->timeout = timeout;
    g->label = "nccl";
    impl_ = std::move(g);
    return;
  }
#else
  if (nccl && backend == "nccl")
    throw std::runtime_error("train.backend: nccl requested but this LibTorch has no NCCL");
#endif
  auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
  opts->devices.push_back(gloo_device(master.host));
  auto g = std::make_unique<GroupCollectives<c10d::ProcessGroupGloo>>();
  g->store = store;
  g->group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, who.rank, who.world, opts);
  g->timeout = timeout;
  g->label = "gloo";
  impl_ = std::move(g);
}

Communicator::~Communicator() = default;

std::unique_ptr<Communicator> Communicator::from_environment(const std::string& backend,
                                                             bool use_gpu, double timeout_s) {
  RankInfo who = rank_from_environment();
  MasterEndpoint master = resolve_master(who);
  return std::make_unique<Communicator>(
      who, master, backend, use_gpu, std::chrono::milliseconds(long(timeout_s * 1000)));
}

std::string Communicator::backend_name() const { return impl_ ? impl_->name() : "none"; }

void Communicator::allreduce_sum(at::Tensor& tensor) {
  if (impl_) impl_->allreduce(tensor);
}

std::function<void()> Communicator::allreduce_sum_async(at::Tensor& tensor) {
  if (!impl_) return [] {};
  return impl_->allreduce_async(tensor);
}

void Communicator::broadcast(at::Tensor& tensor, int root) {
  if (impl_) impl_->broadcast(tensor, root);
}

void Communicator::barrier() {
  if (impl_) impl_->barrier();
}

}  // namespace p2l
