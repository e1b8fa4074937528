#pragma once
// Sliding-window inference of the Patch2Loc heatmap of one subject (SPEC section 6).
#include <torch/torch.h>

#include <memory>

#include "config/RuntimeChoices.hpp"
#include "scoring/ScoreGrid.hpp"
#include "model/FoldedPatch2LocNet.hpp"
#include "model/Patch2LocNet.hpp"
#include "store/SubjectSlices.hpp"
#include "train/ModelFacts.hpp"

namespace p2l {

// eval.precision on this rank's device: kAuto is fp16 on GPU and fp32 on CPU (fp16 autocast
// needs a GPU); the others as asked. Never kAuto.
Precision resolve_inference_precision(Precision requested, bool gpu);

struct HeatmapOptions {
  int stride = 1;
  double patch_fraction = 0.125;     // train.patch_fraction: p = floor(f * min(H, W)), as in training
  double min_brain_fraction = 0.2;   // train.min_brain_fraction
  // The slices the model was trained on (its checkpoint's facts): a subject with slices of
  // another size throws, since its patches and locations would not be the trained ones.
  // 0 x 0 (unknown, an older checkpoint): not checked.
  TrainedSlices trained_slices;
  int batch_size = 4096;
  Precision precision = Precision::kAuto;  // resolve_inference_precision
  bool fold_batchnorm = true;        // infer through FoldedPatch2LocNet (eval.fold_batchnorm)
  // false: every grid point of every slice goes through the network, then points failing the
  // brain-fraction rule are zeroed (the published code's cost, the same result; for tests).
  bool skip_background = true;
};

class HeatmapBuilder {
 public:
  // Puts `net` in eval mode on `device` (and folds it when opt.fold_batchnorm).
  HeatmapBuilder(Patch2LocNet net, const HeatmapOptions& opt, torch::Device device);

  // The raw error and variance maps of one subject, on its grid `s.geom`; throws when its
  // slices are not the trained size (opt.trained_slices).
  ScoreMaps score_maps(const SubjectSlices& s);
  // opt.precision resolved for the device: kFp16, kBf16 or kFp32.
  Precision precision() const { return precision_; }
  // Patches scored by the network so far (for the patches/s progress rate).
  int64_t patches_scored() const { return patches_scored_; }

  // Predictions (mean, logvar on the CPU, float) for patches centred at (z, y, x) points;
  // throws like score_maps.
  Patch2LocOutput predict(const SubjectSlices& s, const std::vector<int64_t>& z,
                          const std::vector<int64_t>& y, const std::vector<int64_t>& x);

 private:
  Patch2LocOutput forward(const torch::Tensor& patches, const torch::Tensor& cond);
  Patch2LocNet net_;
  std::unique_ptr<FoldedPatch2LocNet> folded_;  // when opt.fold_batchnorm
  HeatmapOptions opt_;
  torch::Device device_;
  Precision precision_;
  int64_t patches_scored_ = 0;
};

}  // namespace p2l
