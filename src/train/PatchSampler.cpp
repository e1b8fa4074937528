#include "train/PatchSampler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "model/PatchExtractor.hpp"

namespace p2l {

PatchSampler::PatchSampler(const std::vector<SubjectSlices>& subjects, const TrainConfig& cfg,
                           torch::Device device)
    : PatchSampler(pack_slices(subjects), cfg, device) {}

PatchSampler::PatchSampler(PackedSlices packed, const TrainConfig& cfg, torch::Device device) : device_(device) {
  height_ = packed.height;
  width_ = packed.width;
  p_ = patch_side(cfg.patch_fraction, std::min(height_, width_));
  if (p_ > std::min(height_, width_))
    throw std::runtime_error("train.patch_fraction: patch side " + std::to_string(p_) +
                             " does not fit the " + std::to_string(height_) + "x" +
                             std::to_string(width_) + " slices");
  slices_ = packed.slices.to(device_);
  masks_ = packed.masks.to(device_);
  first_ = torch::tensor(packed.first, torch::kLong).to(device_);
  depth_ = torch::tensor(packed.depth, torch::kLong).to(device_);
  volumes_per_step_ = std::min<int64_t>(cfg.slices_per_step, int64_t(packed.subjects()));
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
