#pragma once
// The learning rate of every step (train.schedule), a pure function of the step so that a
// resumed run continues the schedule exactly.
//   constant: lr after the warm-up.
//   cosine:   warm-up, then lr * (m + (1 - m) * (1 + cos(pi * progress)) / 2), m = train.min_lr_fraction.
//   onecycle: PyTorch's OneCycleLR (cosine annealing): from lr / onecycle_div up to lr over the
//             first train.onecycle_pct of the steps, then down to lr / onecycle_final_div.
//   step:     warm-up, then lr * step_gamma ^ floor((step - warm-up) / step_every).
// Warm-up (train.warmup_steps) rises linearly from lr / warmup_steps to lr.
// train.lr_scaling scales lr with the global batch (patches per step over all ranks):
//   none, linear (lr * B / B_ref) or sqrt (lr * sqrt(B / B_ref)), B_ref = train.lr_reference_batch.
#include <cstdint>

namespace p2l {

struct TrainConfig;

// The base learning rate after train.lr_scaling for a global batch of `global_batch` patches.
double scaled_learning_rate(const TrainConfig& cfg, int64_t global_batch);

// The learning rate of 0-based optimisation step `step` (of cfg.steps), starting from `base`.
double learning_rate_at(const TrainConfig& cfg, double base, int64_t step);

}  // namespace p2l
