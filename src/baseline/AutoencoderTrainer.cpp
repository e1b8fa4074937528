#include "baseline/AutoencoderTrainer.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

#include "config/RunLayout.hpp"
#include "dist/Communicator.hpp"
#include "model/AutocastScope.hpp"
#include "train/ModelFacts.hpp"

namespace p2l {
namespace {

// The shared runtime's settings for the autoencoder: the train.* runtime keys (device,
// precision, buckets, overlap) with the autoencoder's own schedule and cadences
// (config/BaselineConfig.hpp: autoencoder_train_config).
LoopOptions loop_options(Config& cfg, const std::string& output_dir, const TrainedSlices& slices) {
  LoopOptions o;
  o.train = autoencoder_train_config(cfg.train, cfg.ae);
  o.seed = cfg.run.seed;
  o.output_dir = output_dir;
  o.config_yaml = cfg.to_yaml();
  o.facts = autoencoder_facts(cfg, slices);
  o.samples_per_rank = cfg.ae.slices_per_step;
  o.words = {"slices", "mean |x - x_hat| in brain", "residual"};
  return o;
}

// Per-element reconstruction error of the masked difference `d` (ae.loss).
torch::Tensor reconstruction_error(const torch::Tensor& d, ReconstructionLoss loss) {
  return loss == ReconstructionLoss::kMse ? d.pow(2) : d.abs();
}

}  // namespace

std::vector<std::pair<int, int>> brain_slices(const std::vector<SubjectSlices>& subjects, double min_brain_fraction) {
  std::vector<std::pair<int, int>> out;
  for (size_t i = 0; i < subjects.size(); ++i) {
    const SubjectSlices& s = subjects[i];
    for (int z = 0; z < s.depth; ++z) {
      size_t brain = 0;
      const uint8_t* m = s.mask_slice(z);
      for (size_t p = 0; p < s.slice_size(); ++p) brain += m[p] != 0;
      if (brain > 0 && double(brain) >= min_brain_fraction * double(s.slice_size())) out.push_back({int(i), z});
    }
  }
  return out;
}

std::vector<int64_t> brain_slices(const PackedSlices& packed, double min_brain_fraction) {
  const int64_t area = packed.height * packed.width;
  const auto brain = packed.masks.reshape({-1, area}).ne(0).sum(1).to(torch::kCPU);  // per slice
  const int64_t* n = brain.data_ptr<int64_t>();
  std::vector<int64_t> out;
  for (int64_t z = 0; z < brain.size(0); ++z)
    if (n[z] > 0 && double(n[z]) >= min_brain_fraction * double(area)) out.push_back(z);
  return out;
}

std::string autoencoder_checkpoint(const Config& cfg) {
  return RunLayout(cfg).ae().best_checkpoint();
}

AutoencoderTrainer::AutoencoderTrainer(Config cfg, Communicator& comm, TrainingData data)
    : cfg_(std::move(cfg)), comm_(comm), data_(std::move(data)),
      device_(training_device(cfg_.train, comm.who().local_rank)) {
  if (data_.train_subjects() == 0) throw std::runtime_error("data.train_split: '" + cfg_.data.train_split + "' has no subjects");
  if (data_.val.empty()) throw std::runtime_error("data.val_split: '" + cfg_.data.val_split + "' has no subjects");
  // The slice size every subject must have: the first training subject's (a packed split was
  // checked when it was packed).
  const int64_t height = data_.train_packed ? data_.train_packed->height : data_.train.front().height;
  const int64_t width = data_.train_packed ? data_.train_packed->width : data_.train.front().width;
  const std::string ref = data_.train_packed ? "the training split" : "subject '" + data_.train.front().id + "'";
  for (const auto* split : {&data_.train, &data_.val})
    for (const auto& s : *split)
      if (s.height != height || s.width != width || s.image.size() != size_t(s.depth) * s.height * s.width)
        throw std::runtime_error("subject '" + s.id + "' of split '" + s.split + "': slices are " +
                                 std::to_string(s.height) + " x " + std::to_string(s.width) + " but " + ref + " has " +
                                 std::to_string(height) + " x " + std::to_string(width) + " (mismatched store)");
  const PackedSlices packed = data_.train_packed ? std::move(*data_.train_packed) : pack_slices(data_.train);
  const std::vector<int64_t> brain = brain_slices(packed, cfg_.ae.min_brain_fraction);
  auto val_slices = brain_slices(data_.val, cfg_.ae.min_brain_fraction);
  if (brain.empty() || val_slices.empty())
    throw std::runtime_error("ae.min_brain_fraction: no " + std::string(brain.empty() ? "training" : "validation") +
                             " slice has " + std::to_string(cfg_.ae.min_brain_fraction) + " of brain");
  torch::manual_seed(uint64_t(cfg_.run.seed));
  net_ = SliceAutoencoder(cfg_.ae);
  net_->to(device_);
  loop_ = std::make_unique<DataParallelLoop>(loop_options(cfg_, output_dir(), trained_slices(packed)), comm_, *net_,
                                             device_);
  train_slices_ = packed.slices.to(device_);
  train_masks_ = packed.masks.to(device_);
  train_brain_ = torch::tensor(brain, torch::kInt64).to(device_);
  // Fixed validation slices per rank, from their own seed stream.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(step_seed(uint64_t(cfg_.run.seed) ^ 0x6165ULL, comm_.rank(), -1));
  auto idx = torch::randint(int64_t(val_slices.size()), {cfg_.ae.val_slices}, gen, torch::kInt64);
  std::vector<std::pair<int, int>> picks;
  for (int64_t i = 0; i < idx.size(0); ++i) picks.push_back(val_slices[size_t(idx[i].item<int64_t>())]);
  std::tie(val_x_, val_mask_) = batch_of(data_.val, picks);
  data_ = {};  // the tensors above hold the slices now; a second copy would double this rank's memory
  // Chance: predicting the mean validation slice (over all ranks) everywhere.
  auto sums = torch::cat({val_x_.sum(0).flatten(), torch::full({1}, double(val_x_.size(0)))}).to(torch::kCPU, torch::kFloat64);
  comm_.allreduce_sum(sums);
  auto mean = (sums.narrow(0, 0, sums.size(0) - 1) / sums[-1]).to(torch::kFloat32).reshape({1, 1, val_x_.size(2), val_x_.size(3)});
  auto err = torch::stack({((val_x_.cpu() - mean).abs() * val_mask_.cpu()).sum(), val_mask_.cpu().sum()}).to(torch::kFloat64);
  comm_.allreduce_sum(err);
  chance_error_ = (err[0] / err[1]).item<double>();
  loop_->resume(*this);
  if (comm_.rank() == 0) cfg_.write(RunLayout(cfg_).ae().train_config());
  loop_->log().note("autoencoder training on " + std::to_string(comm_.size()) + " rank(s), backend " +
                    comm_.backend_name() + ", device " + device_.str() + ", " + std::to_string(brain.size()) +
                    " training and " + std::to_string(val_slices.size()) + " validation slices, precision " +
                    (loop_->precision() == Precision::kBf16 ? "bf16 autocast" : "fp32"));
}

AutoencoderTrainer::~AutoencoderTrainer() = default;

std::string AutoencoderTrainer::output_dir() const { return RunLayout(cfg_).ae().root(); }

std::pair<torch::Tensor, torch::Tensor> AutoencoderTrainer::batch_of(
    const std::vector<SubjectSlices>& subjects, const std::vector<std::pair<int, int>>& picks) const {
  const int64_t H = subjects.front().height, W = subjects.front().width, n = int64_t(picks.size());
  auto x = torch::empty({n, 1, H, W}, torch::kFloat32);
  auto m = torch::empty({n, 1, H, W}, torch::kFloat32);
  for (int64_t b = 0; b < n; ++b) {
    const SubjectSlices& s = subjects[size_t(picks[size_t(b)].first)];
    const int z = picks[size_t(b)].second;
    x[b][0].copy_(torch::from_blob(const_cast<float*>(s.image_slice(z)), {H, W}, torch::kFloat32));
    m[b][0].copy_(torch::from_blob(const_cast<uint8_t*>(s.mask_slice(z)), {H, W}, torch::kUInt8));
  }
  return {x.to(device_), m.to(device_)};
}

torch::Tensor AutoencoderTrainer::loss(const torch::Tensor& x, const torch::Tensor& mask) {
  torch::Tensor y;
  {
    const auto amp = loop_->autocast();
    y = net_->forward(x);
  }
  auto d = (y.to(torch::kFloat32) - x) * mask;
  return reconstruction_error(d, cfg_.ae.loss).sum() / mask.sum().clamp_min(1.0);
}

torch::Tensor AutoencoderTrainer::step_loss(int64_t step, int64_t& samples) {
  auto gen = seeded_generator(step_seed(uint64_t(cfg_.run.seed), comm_.rank(), step), device_);
  auto idx = torch::randint(train_brain_.size(0), {cfg_.ae.slices_per_step}, gen,
                            torch::TensorOptions().dtype(torch::kInt64).device(device_));
  samples = idx.size(0);
  const auto slices = train_brain_.index_select(0, idx);
  return loss(train_slices_.index_select(0, slices).unsqueeze(1),
              train_masks_.index_select(0, slices).unsqueeze(1).to(torch::kFloat32));
}

ValidationRecord AutoencoderTrainer::validate() {
  const auto scope = loop_->begin_validation();
  double loss_sum = 0, abs_sum = 0, brain = 0;
  const int64_t n = val_x_.size(0), chunk = cfg_.ae.slices_per_step;
  for (int64_t from = 0; from < n; from += chunk) {
    const int64_t k = std::min(chunk, n - from);
    auto x = val_x_.narrow(0, from, k), m = val_mask_.narrow(0, from, k);
    torch::Tensor y;
    {
      const auto amp = loop_->autocast();
      y = net_->forward(x);
    }
    auto d = (y.to(torch::kFloat32) - x) * m;
    const double b = m.sum().item<double>();
    loss_sum += reconstruction_error(d, cfg_.ae.loss).sum().item<double>();
    abs_sum += d.abs().sum().item<double>();
    brain += b;
  }
  return loop_->validation_record(loss_sum, abs_sum, brain, chance_error_);
}

}  // namespace p2l
