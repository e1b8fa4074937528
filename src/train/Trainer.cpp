#include "train/Trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "dist/Communicator.hpp"
#include "dist/GradientReducer.hpp"
#include "dist/TensorBuckets.hpp"
#include "train/Checkpoint.hpp"
#include "train/FusedAdam.hpp"
#include "train/LearningRateSchedule.hpp"
#include "train/Losses.hpp"
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

// bf16 autocast for the forward pass (train.precision); the loss is computed in fp32.
class AutocastScope {
 public:
  AutocastScope(bool on, bool cuda) : on_(on), cuda_(cuda) {
    if (!on_) return;
    if (cuda_) {
      at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::set_cpu_enabled(true);
    }
  }
  ~AutocastScope() {
    if (!on_) return;
    if (cuda_) at::autocast::set_enabled(false);
    else at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }

 private:
  bool on_, cuda_;
};

PatchBatch slice_batch(const PatchBatch& b, int64_t from, int64_t n) {
  return {b.patches.narrow(0, from, n), b.targets.narrow(0, from, n), b.cond.narrow(0, from, n)};
}

}  // namespace

uint64_t step_seed(uint64_t seed, int rank, int64_t step) {
  return splitmix64(splitmix64(splitmix64(seed) ^ uint64_t(rank)) ^ uint64_t(step));
}

torch::Device training_device(const TrainConfig& cfg, int local_rank) {
  bool cuda = torch::cuda::is_available();
  if (cfg.device == "cuda" && !cuda)
    throw std::runtime_error("train.device: cuda requested but no CUDA device is available");
  if (cfg.device == "cpu" || !cuda) return torch::Device(torch::kCPU);
  return torch::Device(torch::kCUDA, local_rank % int(torch::cuda::device_count()));
}

Trainer::Trainer(Config cfg, Communicator& comm, TrainingData data)
    : cfg_(std::move(cfg)), comm_(comm), data_(std::move(data)),
      device_(training_device(cfg_.train, comm.who().local_rank)),
      autocast_(cfg_.train.precision == "bf16" ||
                (cfg_.train.precision == "auto" && device_.is_cuda())),
      density_(cfg_.train.density_bins),
      best_val_loss_(std::numeric_limits<double>::infinity()) {
  check_training_data(data_, cfg_);
  torch::manual_seed(uint64_t(cfg_.run.seed));
  net_ = Patch2LocNet(cfg_.model);
  net_->to(device_);
  base_lr_ = scaled_learning_rate(cfg_.train, int64_t(cfg_.train.patches_per_step) * comm_.world());
  opt_ = std::make_unique<FusedAdam>(net_->parameters(), torch::optim::AdamOptions(base_lr_));
  reducer_ = std::make_unique<GradientReducer>(comm_, net_->parameters(), bucket_bytes(),
                                               cfg_.train.overlap_allreduce);
  sampler_ = std::make_unique<PatchSampler>(data_.train, cfg_.train, device_);
  broadcast_state(true);
  draw_validation_patches();
  log_ = std::make_unique<TrainingLog>(cfg_.run.output_dir, comm_.rank() == 0, cfg_.train.steps,
                                       cfg_.train.log_every);
  const std::string last = checkpoint_path("last");
  if (std::filesystem::exists(last)) {
    TrainingState s = load_checkpoint(last, net_, *opt_);
    step_ = s.step;
    best_val_loss_ = s.best_val_loss;
    if (comm_.rank() == 0 && s.density.defined() && s.density.sizes() == density_.counts().sizes())
      density_.counts().copy_(s.density);
    log_->note("resumed from " + last + " at step " + std::to_string(step_));
  }
  if (comm_.rank() == 0) cfg_.write(cfg_.run.output_dir + "/train_config.yaml");
  log_->note("training on " + std::to_string(comm_.world()) + " rank(s), backend " +
             comm_.backend_name() + ", device " + device_.str() + ", " +
             std::to_string(data_.train.size()) + " training and " +
             std::to_string(data_.val.size()) + " validation volumes, patch " +
             std::to_string(sampler_->patch_size()) + " px, precision " +
             (autocast_ ? "bf16 autocast" : "fp32"));
}

Trainer::~Trainer() = default;

std::string Trainer::checkpoint_path(const std::string& which) const {
  return cfg_.run.output_dir + "/checkpoints/" + which + ".pt";
}

double Trainer::bucket_bytes() const { return cfg_.train.bucket_mb * 1024.0 * 1024.0; }

// Parameters (at start) and BatchNorm buffers come from rank 0. Buffers stay per-rank between
// validations, like DDP without SyncBatchNorm; they are made consistent before every validation
// and checkpoint so all ranks evaluate, and rank 0 saves, the same model.
void Trainer::broadcast_state(bool parameters) {
  if (comm_.world() == 1) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> t;
  if (parameters)
    for (auto& p : net_->parameters()) t.push_back(p.data());
  for (auto& b : net_->buffers()) t.push_back(b);
  broadcast(comm_, t, bucket_bytes(), 0);
}

void Trainer::draw_validation_patches() {
  PatchSampler val_sampler(data_.val, cfg_.train, device_);
  // A fixed set per rank: its own seed stream, disjoint from the training steps.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(
      step_seed(uint64_t(cfg_.run.seed) ^ 0x76616c6964ULL, comm_.rank(), -1));
  std::vector<torch::Tensor> p, t, c;
  int64_t have = 0;
  for (int tries = 0; have < cfg_.train.val_patches; ++tries) {
    PatchBatch b = val_sampler.sample(gen);
    if (b.patches.size(0) == 0 && tries > 100)
      throw std::runtime_error("data.val_split: '" + cfg_.data.val_split +
                               "' yields no patch with train.min_brain_fraction of brain");
    int64_t n = std::min<int64_t>(b.patches.size(0), cfg_.train.val_patches - have);
    p.push_back(b.patches.narrow(0, 0, n));
    t.push_back(b.targets.narrow(0, 0, n));
    c.push_back(b.cond.narrow(0, 0, n));
    have += n;
  }
  val_batch_ = {torch::cat(p), torch::cat(t), torch::cat(c)};
  // Chance: always predicting the mean validation location (over all ranks).
  auto targets = val_batch_.targets.to(torch::kCPU, torch::kFloat64);
  auto sums = torch::cat({targets.sum(0), torch::full({1}, double(targets.size(0)), torch::kFloat64)});
  comm_.allreduce_sum(sums);
  auto mean = sums.narrow(0, 0, 2) / sums[2];
  auto err = torch::stack({(targets - mean).norm(2, 1).sum(), sums[2] / comm_.world()});
  comm_.allreduce_sum(err);
  chance_error_ = (err[0] / err[1]).item<double>();
}

double Trainer::learning_rate() const { return learning_rate_at(cfg_.train, base_lr_, step_); }

double Trainer::train_step(const PatchBatch& batch) {
  const double lr = learning_rate();
  for (auto& group : opt_->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  // Dropping the gradients (rather than zeroing them) lets backward store each new gradient
  // as it comes, saving a fill and an add over all 11.8M parameters.
  for (auto& p : net_->parameters()) p.mutable_grad() = torch::Tensor();
  Patch2LocOutput out;
  {
    AutocastScope amp(autocast_, device_.is_cuda());
    out = net_->forward(batch.patches, batch.cond, cfg_.train.loss == "stirn");
  }
  out.mean = out.mean.to(torch::kFloat);
  out.logvar = out.logvar.to(torch::kFloat);
  torch::Tensor loss = location_loss(out, batch.targets, cfg_.train.loss, cfg_.train.beta);
  reducer_->prepare();
  loss.backward();
  reducer_->finish();
  allreduce_seconds_ = reducer_->last_wait_seconds();
  opt_->step();
  auto mean_loss = loss.detach().to(torch::kCPU, torch::kFloat64).reshape({1});
  comm_.allreduce_sum(mean_loss);
  return mean_loss.item<double>() / comm_.world();
}

ValidationRecord Trainer::validate() {
  broadcast_state(false);
  bool was_training = net_->is_training();
  net_->eval();
  torch::NoGradGuard no_grad;
  double loss_sum = 0, err_sum = 0;
  const int64_t n = val_batch_.patches.size(0), chunk = cfg_.train.patches_per_step;
  for (int64_t from = 0; from < n; from += chunk) {
    PatchBatch b = slice_batch(val_batch_, from, std::min(chunk, n - from));
    Patch2LocOutput out;
    {
      AutocastScope amp(autocast_, device_.is_cuda());
      out = net_->forward(b.patches, b.cond);
    }
    out.mean = out.mean.to(torch::kFloat);
    out.logvar = out.logvar.to(torch::kFloat);
    double m = double(b.patches.size(0));
    loss_sum += location_loss(out, b.targets, cfg_.train.loss, cfg_.train.beta).item<double>() * m;
    err_sum += mean_location_error(out.mean, b.targets).item<double>() * m;
  }
  net_->train(was_training);
  auto sums = torch::tensor({loss_sum, err_sum, double(n)}, torch::kFloat64);
  comm_.allreduce_sum(sums);
  ValidationRecord r;
  r.step = step_;
  r.loss = (sums[0] / sums[2]).item<double>();
  r.location_error = (sums[1] / sums[2]).item<double>();
  r.chance_error = chance_error_;
  return r;
}

void Trainer::save(const std::string& which) {
  broadcast_state(false);
  auto density = density_.counts().clone();
  comm_.allreduce_sum(density);
  if (comm_.rank() == 0) {
    TrainingState s;
    s.step = step_;
    s.best_val_loss = best_val_loss_;
    s.seed = cfg_.run.seed;
    s.density = density;
    s.config_yaml = cfg_.to_yaml();
    save_checkpoint(checkpoint_path(which), net_, *opt_, s);
  }
  comm_.barrier();  // nobody proceeds (or exits) before the file is in place
}

void Trainer::write_density() {
  auto total = density_.counts().clone();
  comm_.allreduce_sum(total);
  if (comm_.rank() != 0) return;
  LocationDensity all(cfg_.train.density_bins);
  all.counts().copy_(total);
  all.write_csv(cfg_.run.output_dir + "/training_density.csv");
}

bool Trainer::any_rank_preempted() {
  auto flag = torch::full({1}, PreemptionSignal::requested() ? 1.0f : 0.0f);
  comm_.allreduce_sum(flag);
  return flag.item<float>() > 0;
}

TrainOutcome Trainer::run() {
  PreemptionSignal::install();
  net_->train();
  TrainOutcome out;
  out.resumed_from = step_;
  const auto& tc = cfg_.train;
  bool saved_last = false;
  const auto started = Clock::now();
  while (step_ < tc.steps) {
    auto t0 = Clock::now();
    const double lr = learning_rate();
    auto gen = at::make_generator<at::CPUGeneratorImpl>(step_seed(uint64_t(cfg_.run.seed), comm_.rank(), step_));
    PatchBatch batch = sampler_->sample(gen);
    if (batch.patches.size(0) < 2)
      throw std::runtime_error("data.train_split: '" + cfg_.data.train_split +
                               "' gave fewer than 2 patches with train.min_brain_fraction of brain at step " +
                               std::to_string(step_));
    density_.add(batch.targets);
    double loss = train_step(batch);
    ++step_;
    out.losses.push_back(loss);
    auto patches = torch::full({1}, double(batch.patches.size(0)), torch::kFloat64);
    comm_.allreduce_sum(patches);
    log_->step({step_, loss, int64_t(patches.item<double>()), since(t0), allreduce_seconds_, lr,
                since(started)});
    if (step_ % tc.val_every == 0 || step_ == tc.steps) {
      ValidationRecord v = validate();
      v.wall_seconds = since(started);
      v.best = v.loss < best_val_loss_;
      out.last_validation = v;
      log_->validation(v);
      if (v.best) {
        best_val_loss_ = v.loss;
        save("best");
      }
    }
    saved_last = false;
    if (step_ % tc.checkpoint_every == 0) {
      save("last");
      saved_last = true;
    }
    if (step_ % tc.density_every == 0) write_density();
    if (any_rank_preempted()) {
      out.preempted = true;
      log_->note("preemption signal: stopping at step " + std::to_string(step_) + "/" +
                 std::to_string(tc.steps) + " (exit code " + std::to_string(kPreemptedExitCode) + ")");
      break;
    }
  }
  if (!saved_last) save("last");
  write_density();
  out.step = step_;
  out.best_val_loss = best_val_loss_;
  return out;
}

}  // namespace p2l
