#include "train/DataParallelLoop.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <limits>
#include <stdexcept>
#include <thread>

#include <ATen/CPUGeneratorImpl.h>

#include "config/CpuThreads.hpp"
#include "config/RunLayout.hpp"
#include "dist/Communicator.hpp"
#include "dist/GradientReducer.hpp"
#include "dist/NetworkInterface.hpp"
#include "dist/NodePlacement.hpp"
#include "dist/Rendezvous.hpp"
#include "dist/TensorBuckets.hpp"
#include "train/FusedAdam.hpp"
#include "train/LearningRateSchedule.hpp"
#include "train/PreemptionSignal.hpp"

namespace p2l {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t step_seed(uint64_t seed, int rank, int64_t step) {
  return splitmix64(splitmix64(splitmix64(seed) ^ uint64_t(rank)) ^ uint64_t(step));
}

torch::Generator seeded_generator(uint64_t seed, torch::Device device) {
  if (device.is_cpu()) return at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::Generator g = at::globalContext().defaultGenerator(device).clone();
  g.set_current_seed(seed);
  return g;
}

torch::Device training_device(const TrainConfig& cfg, int local_rank) {
  bool cuda = torch::cuda::is_available();
  if (cfg.device == DeviceRequest::kCuda && !cuda)
    throw std::runtime_error("train.device: cuda requested but no CUDA device is available");
  if (cfg.device == DeviceRequest::kCpu || !cuda) return torch::Device(torch::kCPU);
  return torch::Device(torch::kCUDA, local_rank % int(torch::cuda::device_count()));
}

std::unique_ptr<Communicator> join_training_ranks(const RunConfig& run, const TrainConfig& train) {
  select_network_interface(run.network_interface);  // before MPI or c10d open a socket
  const RankInfo launched = rank_from_environment();
  const MasterEndpoint master = resolve_master(launched);
  auto comm = std::make_unique<Communicator>(
      launched, master, train.backend,
      [&train](const RankInfo& placed) { return training_device(train, placed.local_rank); },
      std::chrono::milliseconds(long(train.timeout_s * 1000)));
  torch::set_num_threads(cpu_threads(run.threads, comm->who().local_size));
  // One line per rank, in one write: on a cluster, where each rank runs is the first question.
  const RankInfo& who = comm->who();
  if (who.size > 1) {
    std::ostringstream line;
    line << "rank " << who.rank << "/" << who.size << " on host " << node_host(node_identity()) << ": node "
         << who.node << " of " << who.nodes << ", local rank " << who.local_rank << " of " << who.local_size
         << ", device " << comm->device().str() << ", backend " << comm->backend_name() << ", "
         << torch::get_num_threads() << " thread(s), network interface " << interface_description(master.host) << "\n";
    std::cerr << line.str() << std::flush;
  }
  return comm;
}

DataParallelLoop::DataParallelLoop(LoopOptions opt, Communicator& comm, torch::nn::Module& model,
                                   torch::Device device)
    : opt_(std::move(opt)), comm_(comm), model_(model), device_(device),
      precision_(resolve_training_precision(opt_.train.precision, device_.is_cuda(), cpu_has_native_bf16())),
      best_val_loss_(std::numeric_limits<double>::infinity()) {
  base_lr_ = scaled_learning_rate(opt_.train, opt_.samples_per_rank * comm_.size());
  adam_ = std::make_unique<FusedAdam>(model_.parameters(), torch::optim::AdamOptions(base_lr_));
  reducer_ = std::make_unique<GradientReducer>(comm_, model_.parameters(), bucket_bytes(),
                                               opt_.train.overlap_allreduce);
  broadcast_state(true);
  log_ = std::make_unique<TrainingLog>(opt_.output_dir, comm_.rank() == 0, opt_.train.steps,
                                       opt_.train.log_every, opt_.words);
  if (!precision_.warning.empty()) log_->note("warning: " + precision_.warning);
  const RankInfo& who = comm_.who();
  log_->note("placement from the ranks' exchanged node identities: " + std::to_string(who.nodes) +
             " node(s); rank " + std::to_string(who.rank) + " is local rank " + std::to_string(who.local_rank) +
             " of " + std::to_string(who.local_size) + " on node " + std::to_string(who.node));
  for (const auto& w : comm_.placement_warnings()) log_->note("warning: " + w);
}

DataParallelLoop::~DataParallelLoop() = default;

std::string DataParallelLoop::checkpoint_path(const std::string& which) const {
  return RunLayout(opt_.output_dir).checkpoint(which);
}

double DataParallelLoop::bucket_bytes() const { return opt_.train.bucket_mb * 1024.0 * 1024.0; }

void DataParallelLoop::resume(TrainingTask& task) {
  const std::string last = checkpoint_path("last");
  if (!std::filesystem::exists(last)) return;
  TrainingState s = load_checkpoint(last, model_, *adam_);
  // Weights of one model trained on in another's setting would be silently wrong from here on.
  const std::string differ = fact_differences(s.facts, opt_.facts);
  if (!differ.empty())
    throw std::runtime_error(last + ": cannot resume, the checkpoint's model differs from this run's config (" +
                             differ + "); resume with the settings it was trained with, or train into another run.output_dir");
  step_ = s.step;
  best_val_loss_ = s.best_val_loss;
  task.load_extra(s);
  log_->note("resumed from " + last + " at step " + std::to_string(step_));
}

// Parameters (at start) and BatchNorm buffers come from rank 0. Buffers stay per-rank between
// validations, like DDP without SyncBatchNorm; they are made consistent before every validation
// and checkpoint so all ranks evaluate, and rank 0 saves, the same model.
void DataParallelLoop::broadcast_state(bool parameters) {
  if (comm_.size() == 1) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> t;
  if (parameters)
    for (auto& p : model_.parameters()) t.push_back(p.data());
  for (auto& b : model_.buffers()) t.push_back(b);
  broadcast(comm_, t, bucket_bytes(), 0);
}

double DataParallelLoop::learning_rate() const { return learning_rate_at(opt_.train, base_lr_, step_); }

double DataParallelLoop::optimise(const std::function<torch::Tensor()>& loss_of_batch) {
  auto mean_loss = optimise_local(loss_of_batch).to(torch::kFloat64).reshape({1});
  comm_.allreduce_sum(mean_loss);
  return mean_loss.item<double>() / comm_.size();
}

torch::Tensor DataParallelLoop::optimise_local(const std::function<torch::Tensor()>& loss_of_batch) {
  const double lr = learning_rate();
  for (auto& group : adam_->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  // Dropping the gradients (rather than zeroing them) lets backward store each new gradient
  // as it comes, saving a fill and an add over every parameter.
  for (auto& p : model_.parameters()) p.mutable_grad() = torch::Tensor();
  torch::Tensor loss = loss_of_batch();
  reducer_->prepare();
  loss.backward();
  reducer_->finish();
  allreduce_seconds_ = reducer_->last_wait_seconds();
  adam_->step();
  return loss.detach();
}

void DataParallelLoop::save(const std::string& which, TrainingTask& task) {
  broadcast_state(false);
  TrainingState s;
  s.step = step_;
  s.best_val_loss = best_val_loss_;
  s.seed = opt_.seed;
  s.config_yaml = opt_.config_yaml;
  s.facts = opt_.facts;
  task.save_extra(s);
  if (comm_.rank() == 0) save_checkpoint(checkpoint_path(which), model_, *adam_, s);
  comm_.barrier();  // nobody proceeds (or exits) before the file is in place
}

ValidationRecord DataParallelLoop::validation_record(double loss_sum, double error_sum, double count,
                                                     double chance_error) {
  auto sums = torch::tensor({loss_sum, error_sum, count}, torch::kFloat64);
  comm_.allreduce_sum(sums);
  ValidationRecord r;
  r.step = step_;
  r.loss = (sums[0] / sums[2]).item<double>();
  r.location_error = (sums[1] / sums[2]).item<double>();
  r.chance_error = chance_error;
  return r;
}

DataParallelLoop::StepTotals DataParallelLoop::step_totals(const torch::Tensor& local_loss, int64_t samples) {
  // Filled on the loss's device from host scalars (kernel arguments, no copy).
  const auto opts = local_loss.options().dtype(torch::kFloat64);
  auto t = torch::stack({local_loss.to(torch::kFloat64).reshape({}), torch::full({}, double(samples), opts),
                         torch::full({}, PreemptionSignal::requested() ? 1.0 : 0.0, opts)});
  comm_.allreduce_sum(t);
  t = t.to(torch::kCPU);
  const double* v = t.data_ptr<double>();
  return {v[0] / comm_.size(), int64_t(std::llround(v[1])), v[2] > 0};
}

TrainOutcome DataParallelLoop::run(TrainingTask& task) {
  PreemptionSignal::install();
  model_.train();
  TrainOutcome out;
  out.resumed_from = step_;
  const auto& tc = opt_.train;
  bool saved_last = false;
  const auto started = Clock::now();
  while (step_ < tc.steps) {
    auto t0 = Clock::now();
    const double lr = learning_rate();
    int64_t samples = 0;
    // Two statements: `samples` is set by the step, and argument order is unspecified.
    const torch::Tensor local_loss = optimise_local([&] { return task.step_loss(step_, samples); });
    const StepTotals totals = step_totals(local_loss, samples);
    ++step_;
    out.losses.push_back(totals.mean_loss);
    log_->step({step_, totals.mean_loss, totals.samples, since(t0), allreduce_seconds_, lr, since(started)});
    if (step_ % tc.val_every == 0 || step_ == tc.steps) {
      ValidationRecord v = task.validate();
      v.step = step_;
      v.wall_seconds = since(started);
      v.best = v.loss < best_val_loss_;
      out.last_validation = v;
      log_->validation(v);
      if (v.best) {
        best_val_loss_ = v.loss;
        save("best", task);
      }
    }
    saved_last = false;
    if (step_ % tc.checkpoint_every == 0) {
      save("last", task);
      saved_last = true;
    }
    task.after_step(step_);
    if (totals.preempted) {
      out.preempted = true;
      log_->note("preemption signal: stopping at step " + std::to_string(step_) + "/" +
                 std::to_string(tc.steps) + " (exit code " + std::to_string(kPreemptedExitCode) + ")");
      break;
    }
  }
  if (!saved_last) save("last", task);
  task.finish();
  out.step = step_;
  out.best_val_loss = best_val_loss_;
  return out;
}

}  // namespace p2l
