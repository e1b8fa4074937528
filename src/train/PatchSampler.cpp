#include "train/PatchSampler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "model/PatchExtractor.hpp"

namespace p2l {

PatchSampler::PatchSampler(const std::vector<SubjectSlices>& subjects, const TrainConfig& cfg,
                           torch::Device device)
    : device_(device) {
  if (subjects.empty()) throw std::runtime_error("PatchSampler: no training subjects");
  height_ = subjects[0].height;
  width_ = subjects[0].width;
  int64_t total = 0;
  std::vector<int64_t> first, depth;
  for (const auto& s : subjects) {
    if (s.height != height_ || s.width != width_)
      throw std::runtime_error(s.id + ": slice size " + std::to_string(s.height) + "x" +
                               std::to_string(s.width) + " differs from " + std::to_string(height_) +
                               "x" + std::to_string(width_) + " of the other subjects");
    if (s.depth < 1 || s.image.size() != size_t(s.depth) * s.slice_size() || s.mask.size() != s.image.size())
      throw std::runtime_error(s.id + ": empty or inconsistent slices");
    first.push_back(total);
    depth.push_back(s.depth);
    total += s.depth;
  }
  p_ = patch_side(cfg.patch_fraction, std::min(height_, width_));
  if (p_ > std::min(height_, width_))
    throw std::runtime_error("train.patch_fraction: patch side " + std::to_string(p_) +
                             " does not fit the " + std::to_string(height_) + "x" +
                             std::to_string(width_) + " slices");

  auto slices = torch::empty({total, height_, width_}, torch::kFloat32);
  auto masks = torch::empty({total, height_, width_}, torch::kUInt8);
  for (size_t i = 0; i < subjects.size(); ++i) {
    const auto& s = subjects[i];
    std::copy(s.image.begin(), s.image.end(), slices.data_ptr<float>() + first[i] * height_ * width_);
    std::copy(s.mask.begin(), s.mask.end(), masks.data_ptr<uint8_t>() + first[i] * height_ * width_);
  }
  slices_ = slices.to(device_);
  masks_ = masks.to(device_);
  first_ = torch::tensor(first, torch::kLong).to(device_);
  depth_ = torch::tensor(depth, torch::kLong).to(device_);
  volumes_per_step_ = std::min<int64_t>(cfg.slices_per_step, int64_t(subjects.size()));
  keep_ = cfg.keep_all_candidates ? 4 * cfg.patches_per_step : cfg.patches_per_step;
  candidates_ = 4 * cfg.patches_per_step;
  min_brain_fraction_ = cfg.min_brain_fraction;
}

PatchBatch PatchSampler::sample(torch::Generator& gen) const {
  // Random numbers are drawn on the generator's device and moved, so a CPU generator can feed
  // a GPU sampler (and the stream of numbers depends only on the generator).
  auto gopt = torch::TensorOptions().device(gen.device());
  auto lopt = gopt.dtype(torch::kLong);
  const int64_t volumes = first_.size(0);
  auto volume = torch::randperm(volumes, gen, lopt).slice(0, 0, volumes_per_step_).to(device_);
  auto u = torch::rand({volumes_per_step_}, gen, gopt.dtype(torch::kFloat64)).to(device_);
  auto depth = depth_.index_select(0, volume);
  auto z = (u * depth).to(torch::kLong).clamp_max(depth - 1);  // uniform slice of each volume
  auto pick = torch::randint(volumes_per_step_, {candidates_}, gen, lopt).to(device_);
  auto cy = torch::randint(height_, {candidates_}, gen, lopt).to(device_);
  auto cx = torch::randint(width_, {candidates_}, gen, lopt).to(device_);
  auto slice = (first_.index_select(0, volume) + z).index_select(0, pick);

  // Screen on the mask alone, then gather the image only for the kept candidates.
  auto fraction = patch_brain_fraction(masks_, slice, cy, cx, p_);
  auto kept = torch::nonzero(fraction >= min_brain_fraction_).reshape({-1});
  kept = kept.slice(0, 0, std::min<int64_t>(keep_, kept.size(0)));  // candidates are i.i.d.
  slice = slice.index_select(0, kept);
  cy = cy.index_select(0, kept);
  cx = cx.index_select(0, kept);

  PatchBatch batch;
  batch.patches = extract_patches(slices_, masks_, slice, cy, cx, p_).patches;
  batch.targets = torch::stack({cy.to(torch::kFloat32) * (100.0 / height_),
                                cx.to(torch::kFloat32) * (100.0 / width_)}, 1);
  auto zk = z.index_select(0, pick).index_select(0, kept);
  auto dk = depth.index_select(0, pick).index_select(0, kept);
  batch.cond = zk.to(torch::kFloat32) * 100.0 / dk.to(torch::kFloat32);
  return batch;
}

}  // namespace p2l
