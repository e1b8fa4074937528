#include "train/Trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

#include "config/RunLayout.hpp"
#include "dist/Communicator.hpp"
#include "model/AutocastScope.hpp"
#include "train/Losses.hpp"
#include "train/ModelFacts.hpp"

namespace p2l {
namespace {

PatchBatch slice_batch(const PatchBatch& b, int64_t from, int64_t n) {
  return {b.patches.narrow(0, from, n), b.targets.narrow(0, from, n), b.cond.narrow(0, from, n)};
}

LoopOptions loop_options(Config& cfg, const TrainedSlices& slices) {
  LoopOptions o;
  o.train = cfg.train;
  o.seed = cfg.run.seed;
  o.output_dir = cfg.run.output_dir;
  o.config_yaml = cfg.to_yaml();
  o.facts = patch2loc_facts(cfg, slices);
  o.samples_per_rank = cfg.train.patches_per_step;
  return o;
}

}  // namespace

Trainer::Trainer(Config cfg, Communicator& comm, TrainingData data)
    : cfg_(std::move(cfg)), comm_(comm), data_(std::move(data)),
      device_(training_device(cfg_.train, comm.who().local_rank)),
      density_(cfg_.train.density_bins) {
  check_training_data(data_, cfg_);
  torch::manual_seed(uint64_t(cfg_.run.seed));
  net_ = Patch2LocNet(cfg_.model);
  net_->to(device_);
  const size_t train_subjects = data_.train_subjects();
  const bool shared = data_.train_packed && !data_.train_packed->shared_file.empty();
  PackedSlices train = data_.train_packed ? std::move(*data_.train_packed) : pack_slices(data_.train);
  const TrainedSlices slices = trained_slices(train);
  sampler_ = std::make_unique<PatchSampler>(std::move(train), cfg_.train, device_);
  // The sampler holds the training split now; a second copy would double this rank's memory.
  data_.train = {}, data_.train_packed.reset();
  loop_ = std::make_unique<DataParallelLoop>(loop_options(cfg_, slices), comm_, *net_, device_);
  draw_validation_patches();
  loop_->resume(*this);
  if (comm_.rank() == 0) cfg_.write(RunLayout(cfg_).train_config());
  loop_->log().note("training on " + std::to_string(comm_.size()) + " rank(s), backend " +
                    comm_.backend_name() + ", device " + device_.str() + ", " +
                    std::to_string(train_subjects) + (shared ? " training (one copy per node)" : " training") + " and " +
                    std::to_string(data_.val.size()) + " validation volumes, patch " +
                    std::to_string(sampler_->patch_size()) + " px, precision " +
                    (loop_->precision() == Precision::kBf16 ? "bf16 autocast" : "fp32"));
}

Trainer::~Trainer() = default;

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
  auto err = torch::stack({(targets - mean).norm(2, 1).sum(), sums[2] / comm_.size()});
  comm_.allreduce_sum(err);
  chance_error_ = (err[0] / err[1]).item<double>();
}

torch::Tensor Trainer::batch_loss(const PatchBatch& batch) {
  Patch2LocOutput out;
  {
    const auto amp = loop_->autocast();
    out = net_->forward(batch.patches, batch.cond, cfg_.train.loss == LocationLoss::kStirn);
  }
  out.mean = out.mean.to(torch::kFloat);
  out.logvar = out.logvar.to(torch::kFloat);
  return location_loss(out, batch.targets, cfg_.train.loss, cfg_.train.beta);
}

double Trainer::train_step(const PatchBatch& batch) {
  return loop_->optimise([&] { return batch_loss(batch); });
}

PatchBatch Trainer::step_batch(int64_t step) const {
  auto gen = seeded_generator(step_seed(uint64_t(cfg_.run.seed), comm_.rank(), step), device_);
  PatchBatch batch = sampler_->sample(gen);
  if (batch.patches.size(0) < 2)
    throw std::runtime_error("data.train_split: '" + cfg_.data.train_split +
                             "' gave fewer than 2 patches with train.min_brain_fraction of brain at step " +
                             std::to_string(step));
  return batch;
}

torch::Tensor Trainer::step_loss(int64_t step, int64_t& samples) {
  PatchBatch batch = step_batch(step);
  density_.add(batch.targets);
  samples = batch.patches.size(0);
  return batch_loss(batch);
}

ValidationRecord Trainer::validate() {
  const auto scope = loop_->begin_validation();
  double loss_sum = 0, err_sum = 0;
  const int64_t n = val_batch_.patches.size(0), chunk = cfg_.train.patches_per_step;
  for (int64_t from = 0; from < n; from += chunk) {
    PatchBatch b = slice_batch(val_batch_, from, std::min(chunk, n - from));
    Patch2LocOutput out;
    {
      const auto amp = loop_->autocast();
      out = net_->forward(b.patches, b.cond);
    }
    out.mean = out.mean.to(torch::kFloat);
    out.logvar = out.logvar.to(torch::kFloat);
    double m = double(b.patches.size(0));
    loss_sum += location_loss(out, b.targets, cfg_.train.loss, cfg_.train.beta).item<double>() * m;
    err_sum += mean_location_error(out.mean, b.targets).item<double>() * m;
  }
  return loop_->validation_record(loss_sum, err_sum, double(n), chance_error_);
}

void Trainer::save_extra(TrainingState& state) {
  state.density = density_.counts().clone();
  comm_.allreduce_sum(state.density);
}

void Trainer::load_extra(const TrainingState& s) {
  if (comm_.rank() == 0 && s.density.defined() && s.density.sizes() == density_.counts().sizes())
    density_.counts().copy_(s.density);
}

void Trainer::after_step(int64_t step) {
  if (step % cfg_.train.density_every == 0) write_density();
}

void Trainer::write_density() {
  auto total = density_.counts().clone();
  comm_.allreduce_sum(total);
  if (comm_.rank() != 0) return;
  LocationDensity all(cfg_.train.density_bins);
  all.counts().copy_(total);
  all.write_csv(RunLayout(cfg_).training_density_csv());
}

}  // namespace p2l
