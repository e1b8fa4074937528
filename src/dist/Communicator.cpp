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

// The collectives of one c10d backend (Gloo or NCCL; both derive from c10d::Backend).
struct Communicator::Collectives {
  virtual ~Collectives() = default;
  virtual void allreduce(at::Tensor& t) = 0;
  virtual std::function<void()> allreduce_async(at::Tensor& t) = 0;
  virtual void broadcast(at::Tensor& t, int root) = 0;
  virtual void barrier() = 0;
  virtual std::string name() const = 0;
  // Where the backend's tensors live: the rank's GPU for NCCL; CPU for Gloo, which also takes
  // CUDA tensors itself (train.backend=gloo on a GPU rank).
  c10::Device device{c10::kCPU};
  bool any_device = false;
  bool takes(const at::Tensor& t) const { return any_device || t.device() == device; }
};

namespace {

template <class Group>
struct GroupCollectives : Communicator::Collectives {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Group> group;
  std::chrono::milliseconds timeout;
  std::string label;
  // Gloo completes on its own threads, so the host waits (with the timeout). NCCL work waits
  // stream-ordered; its watchdog enforces the group's timeout and aborts a hung collective.
  bool host_wait = true;

  void run(const c10::intrusive_ptr<c10d::Work>& w, const char* what) {
    try {
      if (host_wait) w->wait(timeout);
      else w->wait();
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

// Every rank's node report, exchanged through the store (one key per rank, under a prefix of
// its own so the process group's keys never meet them).
std::vector<RankNodeReport> exchange_node_reports(const c10::intrusive_ptr<c10d::Store>& store,
                                                  const RankInfo& who, const RankNodeReport& mine) {
  auto nodes = c10::make_intrusive<c10d::PrefixStore>("p2l/node", store);
  const std::string text = encode_report(mine);
  nodes->set(std::to_string(who.rank), std::vector<uint8_t>(text.begin(), text.end()));
  std::vector<std::string> keys;
  for (int r = 0; r < who.size; ++r) keys.push_back(std::to_string(r));
  nodes->wait(keys);
  std::vector<RankNodeReport> reports;
  for (const auto& bytes : nodes->multiGet(keys)) reports.push_back(decode_report(std::string(bytes.begin(), bytes.end())));
  return reports;
}

}  // namespace

Communicator::Communicator(const RankInfo& who, const MasterEndpoint& master,
                           Backend backend, c10::Device device,
                           std::chrono::milliseconds timeout, bool force_group)
    : Communicator(who, master, backend, [device](const RankInfo&) { return device; }, timeout, force_group) {}

Communicator::Communicator(const RankInfo& who, const MasterEndpoint& master,
                           Backend backend, const DeviceRule& device_of,
                           std::chrono::milliseconds timeout, bool force_group)
    : who_(who), timeout_(timeout) {
  const RankNodeReport mine{node_identity(), who.claimed_local_rank, who.claimed_local_size};
  who_.node = 0, who_.nodes = 1, who_.local_rank = 0, who_.local_size = 1;
  if (who.size == 1 && !force_group) {
    placement_warnings_ = launcher_disagreements({mine});
    device_ = device_of(who_);
    return;
  }
  // The device's type does not depend on the placement (only its index does), so a backend
  // that cannot work fails here, before anything waits for the other ranks.
  if (backend == Backend::kNccl && !device_of(who_).is_cuda())
    throw std::runtime_error("train.backend: nccl needs a CUDA device (train.device), this rank has " +
                             device_of(who_).str());
  c10d::TCPStoreOptions so;
  so.port = uint16_t(master.port);
  so.isServer = who.rank == 0;
  so.numWorkers = size_t(who.size);
  so.waitWorkers = true;
  so.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    store = c10::make_intrusive<c10d::TCPStore>(master.host, so);
  } catch (const std::exception& e) {
    throw std::runtime_error(master.host + ":" + std::to_string(master.port) +
                             ": rendezvous of rank " + std::to_string(who.rank) + " of " +
                             std::to_string(who.size) + " failed: " + e.what());
  }
  const std::vector<RankNodeReport> reports = exchange_node_reports(store, who, mine);
  std::vector<std::string> identities;
  for (const auto& r : reports) identities.push_back(r.identity);
  const NodePlacement placed = place_rank(identities, who.rank);
  who_.node = placed.node, who_.nodes = placed.nodes;
  who_.local_rank = placed.local_rank, who_.local_size = placed.local_size;
  placement_warnings_ = launcher_disagreements(reports);
  const c10::Device device = device_ = device_of(who_);
  const bool nccl = backend == Backend::kNccl || (backend == Backend::kAuto && device.is_cuda());
#ifdef USE_C10D_NCCL
  if (nccl) {
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = timeout;
    auto g = std::make_unique<GroupCollectives<c10d::ProcessGroupNCCL>>();
    g->store = store;
    g->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, who.rank, who.size, opts);
    g->timeout = timeout;
    g->label = "nccl";
    g->host_wait = false;
    g->device = device;
    impl_ = std::move(g);
    return;
  }
#else
  if (nccl)
    throw std::runtime_error("train.backend: nccl requested but this LibTorch has no NCCL");
#endif
  auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
  opts->devices.push_back(gloo_device(master.host));
  auto g = std::make_unique<GroupCollectives<c10d::ProcessGroupGloo>>();
  g->store = store;
  g->group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, who.rank, who.size, opts);
  g->timeout = timeout;
  g->label = "gloo";
  g->any_device = true;
  impl_ = std::move(g);
}

Communicator::~Communicator() = default;

std::unique_ptr<Communicator> Communicator::from_environment(Backend backend,
                                                             c10::Device device, double timeout_s) {
  RankInfo who = rank_from_environment();
  MasterEndpoint master = resolve_master(who);
  return std::make_unique<Communicator>(
      who, master, backend, device, std::chrono::milliseconds(long(timeout_s * 1000)));
}

std::string Communicator::backend_name() const { return impl_ ? impl_->name() : "none"; }

bool Communicator::nccl_compiled() {
#ifdef USE_C10D_NCCL
  return true;
#else
  return false;
#endif
}

namespace {

// Runs `op` on `tensor`, staged through `device` when it lives elsewhere, and copies back.
template <class Op>
void on_device(at::Tensor& tensor, const Communicator::Collectives& group, Op op) {
  if (group.takes(tensor)) return op(tensor);
  at::Tensor staged = tensor.to(group.device);
  op(staged);
  tensor.copy_(staged);
}

}  // namespace

void Communicator::allreduce_sum(at::Tensor& tensor) {
  if (impl_) on_device(tensor, *impl_, [&](at::Tensor& t) { impl_->allreduce(t); });
}

std::function<void()> Communicator::allreduce_sum_async(at::Tensor& tensor) {
  if (!impl_) return [] {};
  if (!impl_->takes(tensor))
    throw std::runtime_error("all-reduce: a " + tensor.device().str() + " tensor on a " + impl_->name() +
                             " group (its tensors live on " + impl_->device.str() + ")");
  return impl_->allreduce_async(tensor);
}

void Communicator::broadcast(at::Tensor& tensor, int root) {
  if (impl_) on_device(tensor, *impl_, [&](at::Tensor& t) { impl_->broadcast(t, root); });
}

void Communicator::barrier() {
  if (impl_) impl_->barrier();
}

}  // namespace p2l
