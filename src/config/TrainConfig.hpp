#pragma once
#include <string>
#include <vector>

#include "config/LoopConfig.hpp"
#include "config/RuntimeChoices.hpp"

namespace p2l {
class Schema;

// Patch sampling, loss and optimisation (SPEC section 5), and the distributed runtime. The
// loop's keys (train.lr, train.steps, ...) are LoopConfig's.
struct TrainConfig : LoopConfig {
  double patch_fraction = 0.125;
  int slices_per_step = 356;
  int patches_per_step = 2024;  // 4 x this many candidate centres are drawn
  bool keep_all_candidates = false;  // true: every candidate passing the brain rule (published code)
  double min_brain_fraction = 0.2;
  LocationLoss loss = LocationLoss::kBetaNll;
  double beta = 0.5;
  double min_lr_fraction = 0.0;
  double onecycle_pct = 0.3;
  double onecycle_div = 25.0;
  double onecycle_final_div = 1e4;
  int step_every = 1000;
  double step_gamma = 0.1;
  LrScaling lr_scaling = LrScaling::kNone;
  int lr_reference_batch = 1024;
  bool overlap_allreduce = true;
  int val_patches = 4096;
  int density_every = 1000;
  int density_bins = 100;      // the density is a density_bins x density_bins histogram
  DeviceRequest device = DeviceRequest::kAuto;  // auto: cuda:<local rank> when CUDA is available, else cpu
  Precision precision = Precision::kAuto;       // auto, fp32 or bf16 (train/TrainingPrecision.hpp)
  Backend backend = Backend::kAuto;
  double bucket_mb = 25.0;
  double timeout_s = 120.0;
  // The training split once per node, mapped by its ranks (train/PackedSlices.hpp).
  bool shared_slices = true;
  std::string shared_slices_dir = "/dev/shm";
  int num_folds = 5;
  int fold = 0;
};

void bind(Schema& s, TrainConfig& c);

}  // namespace p2l
