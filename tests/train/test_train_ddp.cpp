// Data parallelism: 2 ranks, each stepping on its half of a fixed combined batch, end with
// identical parameters, equal (within float tolerance) to 1 rank stepping on the combined batch,
// and the all-reduce overlapped with the backward pass gives bit for bit the parameters of the
// plain all-reduce after the backward pass.
// BatchNorm is in eval mode for this comparison: in training mode per-rank batch statistics
// differ from combined-batch statistics by design (as in DDP without SyncBatchNorm), so only the
// gradient averaging is compared. Run as-is, the 2 ranks are threads of this process; under
// `mpirun -np 2` (tests/scripts/test_train_ddp_mpirun.sh) they are real processes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "SyntheticBrain.hpp"
#include "support/ThreadRanks.hpp"
#include "dist/Communicator.hpp"
#include "train/DataParallelLoop.hpp"
#include "train/Trainer.hpp"

using namespace p2l;
using namespace p2l::testing;
namespace fs = std::filesystem;

namespace {

constexpr int kSteps = 3;
constexpr int kPerRank = 16;

TrainingData ddp_data() { return {synthetic_split("tr", 3, 20), synthetic_split("va", 1, 60)}; }

Config ddp_config(const std::string& dir, bool overlap = true) {
  Config c = small_training_config(dir);
  c.train.overlap_allreduce = overlap;
  c.train.patches_per_step = 2 * kPerRank;
  c.train.bucket_mb = 0.5;  // several buckets
  // BatchNorm in eval mode leaves activations unnormalised: the MSE loss and a smaller rate keep
  // the few steps finite (exp(logvar) of beta-NLL overflows there).
  c.train.loss = LocationLoss::kMse;
  c.train.lr = 1e-3;
  return c;
}

// The same fixed combined batches on every rank and in the reference.
std::vector<PatchBatch> combined_batches() {
  Config c = ddp_config("unused");
  PatchSampler sampler(ddp_data().train, c.train, torch::kCPU);
  std::vector<PatchBatch> v;
  for (int s = 0; s < kSteps; ++s) {
    torch::Generator g = at::make_generator<at::CPUGeneratorImpl>(uint64_t(1000 + s));
    PatchBatch b = sampler.sample(g);
    EXPECT_GE(b.patches.size(0), 2 * kPerRank);
    v.push_back({b.patches.narrow(0, 0, 2 * kPerRank), b.targets.narrow(0, 0, 2 * kPerRank),
                 b.cond.narrow(0, 0, 2 * kPerRank)});
  }
  return v;
}

PatchBatch half(const PatchBatch& b, int rank, int world) {
  int64_t n = b.patches.size(0) / world;
  return {b.patches.narrow(0, rank * n, n), b.targets.narrow(0, rank * n, n), b.cond.narrow(0, rank * n, n)};
}

std::vector<torch::Tensor> state_of(Patch2LocNet& net) {
  std::vector<torch::Tensor> v;
  for (auto& p : net->parameters()) v.push_back(p.detach().clone());
  for (auto& b : net->buffers()) v.push_back(b.detach().clone());
  return v;
}

std::vector<torch::Tensor> grads_of(Patch2LocNet& net) {
  std::vector<torch::Tensor> v;
  for (auto& p : net->parameters()) v.push_back(p.grad().defined() ? p.grad().detach().clone() : torch::zeros_like(p));
  return v;
}

struct RankResult {
  std::vector<torch::Tensor> initial, final_state;
  std::vector<torch::Tensor> first_grads;  // the all-reduced gradients of step 1
  std::vector<torch::Tensor> plain_final;  // the same run with train.overlap_allreduce off
};

void load_state(Patch2LocNet& net, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& p : net->parameters()) p.copy_(state[i++]);
  for (auto& b : net->buffers()) b.copy_(state[i++]);
}

// Steps on this rank's halves; starts from `initial` when given (threads share the global RNG,
// so two trainers built one after the other need not draw the same initial weights), else
// records the initial state there.
std::vector<torch::Tensor> train_rank(Communicator& comm, const std::string& dir, bool overlap,
                                      std::vector<torch::Tensor>& initial, std::vector<torch::Tensor>* first_grads) {
  Trainer t(ddp_config(dir, overlap), comm, ddp_data());
  if (initial.empty()) initial = state_of(t.model());
  else load_state(t.model(), initial);
  t.model()->eval();
  for (const auto& b : combined_batches()) {
    t.train_step(half(b, comm.rank(), comm.size()));
    if (first_grads && first_grads->empty()) *first_grads = grads_of(t.model());
  }
  return state_of(t.model());
}

// One rank of the data-parallel run, overlapped and plain, from the same initial state.
RankResult run_rank(Communicator& comm, const std::string& dir) {
  RankResult r;
  r.final_state = train_rank(comm, dir, true, r.initial, &r.first_grads);
  r.plain_final = train_rank(comm, dir + "_plain", false, r.initial, nullptr);
  return r;
}

void expect_overlap_equals_plain(const RankResult& r) {
  ASSERT_EQ(r.final_state.size(), r.plain_final.size());
  for (size_t i = 0; i < r.final_state.size(); ++i)
    EXPECT_TRUE(torch::equal(r.final_state[i], r.plain_final[i])) << "overlapped vs plain, tensor " << i << " max diff " << (r.final_state[i] - r.plain_final[i]).abs().max().item<double>() << " of " << r.final_state[i].abs().max().item<double>();
}

struct Reference {
  std::vector<torch::Tensor> final_state, first_grads;
};

// The 1-rank reference from the same initial state, on the combined batches.
Reference reference(const std::vector<torch::Tensor>& initial, const std::string& dir) {
  Communicator one(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(10));
  Trainer t(ddp_config(dir), one, ddp_data());
  load_state(t.model(), initial);
  t.model()->eval();
  Reference ref;
  for (const auto& b : combined_batches()) {
    t.train_step(b);
    if (ref.first_grads.empty()) ref.first_grads = grads_of(t.model());
  }
  ref.final_state = state_of(t.model());
  return ref;
}

// The all-reduced gradient of the first step is the combined batch's gradient: the mean of the
// two halves' mean-loss gradients. Only the summation order differs (float rounding, ~1e-7
// relative); a reducer that summed instead of averaging would be 100 % off, one that dropped a
// rank's half about 100 % as well.
void expect_same_gradients(const std::vector<torch::Tensor>& ddp, const std::vector<torch::Tensor>& ref) {
  ASSERT_EQ(ddp.size(), ref.size());
  double diff = 0, norm = 0;
  for (size_t i = 0; i < ddp.size(); ++i) {
    auto r = ref[i].to(torch::kDouble);
    diff += (ddp[i].to(torch::kDouble) - r).pow(2).sum().item<double>();
    norm += r.pow(2).sum().item<double>();
  }
  ASSERT_GT(norm, 0.0);
  EXPECT_LT(std::sqrt(diff / norm), 1e-5) << "the all-reduced gradient is not the combined batch's gradient";
}

// Adam divides by the gradient's running RMS, so elements whose gradient is float noise may
// move differently after summation-order changes; compare the whole update instead:
// |ddp - ref| must be under 1% of |ref - initial| (not averaging gradients gives ~100%).
void expect_close(const std::vector<torch::Tensor>& initial, const std::vector<torch::Tensor>& ddp,
                  const std::vector<torch::Tensor>& ref) {
  ASSERT_EQ(ddp.size(), ref.size());
  double diff = 0, update = 0;
  for (size_t i = 0; i < ddp.size(); ++i) {
    auto r = ref[i].to(torch::kDouble);
    diff += (ddp[i].to(torch::kDouble) - r).pow(2).sum().item<double>();
    update += (r - initial[i].to(torch::kDouble)).pow(2).sum().item<double>();
  }
  ASSERT_TRUE(std::isfinite(diff) && std::isfinite(update));
  ASSERT_GT(update, 0.0);
  EXPECT_LT(std::sqrt(diff / update), 0.01) << "2-rank and 1-rank updates differ";
}

std::string dir_for(const std::string& name) {
  const char* shared = std::getenv("P2L_TEST_DIR");
  return shared ? std::string(shared) + "/" + name
                : (fs::temp_directory_path() / ("p2l_ddp_" + name + "_" + std::to_string(getpid()))).string();
}

}  // namespace

TEST(TrainDdp, TwoRanksMatchEachOtherAndOneRankOnTheCombinedBatch) {
  RankInfo env = rank_from_environment();
  // Under mpirun the ranks must come from Open MPI's environment: a broken rank detection would
  // otherwise fall through to the thread branch below and pass there.
  if (const char* ompi = std::getenv("OMPI_COMM_WORLD_SIZE")) {
    ASSERT_EQ(env.launcher, Launcher::kMpi);
    ASSERT_EQ(env.size, std::atoi(ompi));
  }
  if (env.size > 1) {  // real processes (mpirun -np 2)
    ASSERT_EQ(env.size, 2);
    std::printf("TrainDdp: process rank %d of %d (launcher %s)\n", env.rank, env.size, launchers().id(env.launcher));
    auto comm = Communicator::from_environment(Backend::kGloo, torch::kCPU, 60);
    RankResult r = run_rank(*comm, dir_for("ranks"));
    // Identical on both ranks: rank 0's final state broadcast must equal ours bit for bit.
    auto theirs = r.final_state;
    for (auto& t : theirs) {
      t = t.contiguous();
      comm->broadcast(t, 0);
    }
    for (size_t i = 0; i < theirs.size(); ++i) EXPECT_TRUE(torch::equal(theirs[i], r.final_state[i])) << i;
    expect_overlap_equals_plain(r);
    const Reference ref = reference(r.initial, dir_for("reference_rank" + std::to_string(env.rank)));
    expect_same_gradients(r.first_grads, ref.first_grads);
    expect_close(r.initial, r.final_state, ref.final_state);
    return;
  }
  std::printf("TrainDdp: 2 ranks as threads of one process\n");
  RankResult res[2];
  on_two_thread_ranks([&](Communicator& comm, int k) { res[k] = run_rank(comm, dir_for("threads")); });
  for (size_t i = 0; i < res[0].initial.size(); ++i)
    EXPECT_TRUE(torch::equal(res[0].initial[i], res[1].initial[i])) << "initial broadcast " << i;
  for (size_t i = 0; i < res[0].final_state.size(); ++i)
    ASSERT_TRUE(torch::equal(res[0].final_state[i], res[1].final_state[i]))
        << "final " << i << " max diff " << (res[0].final_state[i] - res[1].final_state[i]).abs().max().item<double>()
        << " numel " << res[0].final_state[i].numel();
  const Reference ref = reference(res[0].initial, dir_for("reference"));
  expect_same_gradients(res[0].first_grads, ref.first_grads);
  expect_same_gradients(res[1].first_grads, ref.first_grads);
  expect_close(res[0].initial, res[0].final_state, ref.final_state);
  expect_overlap_equals_plain(res[0]);
  expect_overlap_equals_plain(res[1]);
  // The run changed the parameters (so the comparison is not vacuous).
  EXPECT_FALSE(torch::equal(res[0].initial[0], res[0].final_state[0]));
}

// Each rank samples its own batch (the step's generator is seeded with the rank), so BatchNorm's
// running statistics drift apart between validations; the validation starts by broadcasting rank
// 0's buffers, so every rank validates, and rank 0 saves, the same model.
TEST(TrainDdp, RanksDrawDifferentPatchesAndValidateRankZerosBatchNormStatistics) {
  std::vector<torch::Tensor> before[2], after[2];
  torch::Tensor targets[2], again;
  auto buffers = [](Patch2LocNet& net) {
    std::vector<torch::Tensor> v;
    for (auto& b : net->named_buffers())
      if (b.key().find("running_mean") != std::string::npos) v.push_back(b.value().detach().clone());
    return v;
  };
  on_two_thread_ranks([&](Communicator& comm, int k) {
    Trainer t(small_training_config(dir_for("bn" + std::to_string(k))), comm, ddp_data());
    const PatchBatch b = t.step_batch(0);
    targets[k] = b.targets;
    if (k == 0) again = t.step_batch(0).targets;
    t.model()->train();
    {
      torch::NoGradGuard no_grad;
      t.model()->forward(b.patches, b.cond);  // training mode: updates the running statistics
    }
    before[k] = buffers(t.model());
    t.validate();
    after[k] = buffers(t.model());
  });
  // Different patch locations on the two ranks; the same on a second draw of the same step.
  ASSERT_TRUE(targets[0].defined() && targets[1].defined());
  EXPECT_FALSE(targets[0].sizes() == targets[1].sizes() && torch::equal(targets[0], targets[1]));
  EXPECT_TRUE(torch::equal(again, targets[0]));
  ASSERT_FALSE(before[0].empty());
  ASSERT_EQ(before[0].size(), before[1].size());
  // Different batches: the first BatchNorm's running mean differs between the ranks.
  double apart = 0;
  for (size_t i = 0; i < before[0].size(); ++i) apart += (before[0][i] - before[1][i]).abs().sum().item<double>();
  EXPECT_GT(apart, 1e-3) << "both ranks drew the same patches";
  // After the validation's broadcast both ranks hold rank 0's statistics, bit for bit.
  for (size_t i = 0; i < after[0].size(); ++i) {
    EXPECT_TRUE(torch::equal(after[0][i], before[0][i])) << "rank 0's own buffer " << i << " changed";
    EXPECT_TRUE(torch::equal(after[1][i], before[0][i])) << "rank 1 did not receive rank 0's buffer " << i;
  }
}

namespace {

// A task whose ranks see different data, and whose validation (unlike the real ones) does not
// broadcast: what the checkpoint sees is then down to DataParallelLoop::save alone.
class DivergingTask : public TrainingTask {
 public:
  DivergingTask(torch::nn::Sequential& net, int rank) : net_(net), rank_(rank) {}
  torch::Tensor step_loss(int64_t, int64_t& samples) override {
    auto x = torch::full({8, 2}, float(rank_ + 1)) + torch::arange(16, torch::kFloat).reshape({8, 2}) * 0.01f;
    samples = 8;
    auto loss = net_->forward(x).pow(2).mean();
    if (!diverged.defined()) diverged = running_mean();
    return loss;
  }
  ValidationRecord validate() override {
    ValidationRecord r;
    r.loss = 1.0;
    return r;
  }
  void save_extra(TrainingState&) override {
    if (!at_save.defined()) at_save = running_mean();
  }
  torch::Tensor running_mean() {
    for (auto& b : net_->named_buffers())
      if (b.key().find("running_mean") != std::string::npos) return b.value().detach().clone();
    return {};
  }
  torch::Tensor diverged, at_save;

 private:
  torch::nn::Sequential& net_;
  int rank_;
};

}  // namespace

TEST(TrainDdp, CheckpointsAreWrittenWithRankZerosBatchNormStatisticsOnEveryRank) {
  const std::string dir = dir_for("bn_checkpoint");
  torch::Tensor diverged[2], at_save[2];
  on_two_thread_ranks([&](Communicator& comm, int k) {
    torch::nn::Sequential net(torch::nn::Linear(2, 2), torch::nn::BatchNorm1d(2));
    LoopOptions o;
    o.train.steps = 1;
    o.train.val_every = 1000;
    o.train.checkpoint_every = 1;
    o.train.log_every = 1;
    o.train.precision = Precision::kFp32;
    o.output_dir = dir;
    DataParallelLoop loop(o, comm, *net, torch::kCPU);
    DivergingTask task(net, k);
    loop.run(task);
    diverged[k] = task.diverged, at_save[k] = task.at_save;
  });
  ASSERT_TRUE(diverged[0].defined() && diverged[1].defined() && at_save[0].defined() && at_save[1].defined());
  EXPECT_FALSE(torch::equal(diverged[0], diverged[1])) << "the ranks' statistics did not diverge";
  EXPECT_TRUE(torch::equal(at_save[0], diverged[0]));
  EXPECT_TRUE(torch::equal(at_save[1], diverged[0])) << "rank 1 held its own statistics when the checkpoint was written";
}
