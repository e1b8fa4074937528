#pragma once
// Training batches of patches (SPEC section 5), drawn on the device where the slices live.
#include <torch/torch.h>

#include <vector>

#include "config/TrainConfig.hpp"
#include "store/SubjectSlices.hpp"
#include "train/PackedSlices.hpp"

namespace p2l {

struct PatchBatch {
  torch::Tensor patches;  // [N, 1, p, p]
  torch::Tensor targets;  // [N, 2] = (100 y / H, 100 x / W)
  torch::Tensor cond;     // [N]    = 100 z / Z
};

class PatchSampler {
 public:
  // Keeps all slices of `subjects` resident on `device` (the published training does this).
  // Throws when there are no subjects, their slice sizes differ, or the patch exceeds the slice.
  // The patch side is patch_side(cfg.patch_fraction, min(H, W)).
  PatchSampler(const std::vector<SubjectSlices>& subjects, const TrainConfig& cfg, torch::Device device);
  // The same over slices already packed (train/PackedSlices.hpp); on the CPU it keeps their
  // storage (e.g. the node's shared mapping) instead of copying it.
  PatchSampler(PackedSlices packed, const TrainConfig& cfg, torch::Device device);

  // One training step's batch: one random slice from each of min(slices_per_step, subjects)
  // distinct random volumes, 4 * patches_per_step candidate centres uniform over those slices'
  // grid, keeping those with brain fraction >= min_brain_fraction; returns the first
  // patches_per_step kept (fewer when fewer pass; possibly none), or with keep_all_candidates
  // every one kept, as the published code does. Uses only `gen`, whose device may differ from
  // the sampler's.
  PatchBatch sample(torch::Generator& gen) const;

  int64_t patch_size() const { return p_; }

 private:
  torch::Tensor slices_;  // [sum Z, H, W] float
  torch::Tensor masks_;   // [sum Z, H, W] uint8
  torch::Tensor first_;   // [subjects] int64, index of each subject's slice 0
  torch::Tensor depth_;   // [subjects] int64, Z
  int64_t height_ = 0, width_ = 0, p_ = 0;
  int64_t volumes_per_step_ = 0, candidates_ = 0, keep_ = 0;
  double min_brain_fraction_ = 0;
  torch::Device device_;
};

}  // namespace p2l
