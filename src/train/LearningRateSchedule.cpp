#include "train/LearningRateSchedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "config/TrainConfig.hpp"

namespace p2l {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Cosine interpolation from `from` (progress 0) to `to` (progress 1).
double cosine(double from, double to, double progress) {
  progress = std::clamp(progress, 0.0, 1.0);
  return to + (from - to) * 0.5 * (1.0 + std::cos(kPi * progress));
}

}  // namespace

double scaled_learning_rate(const TrainConfig& cfg, int64_t global_batch) {
  const double ratio = double(global_batch) / double(cfg.lr_reference_batch);
  switch (cfg.lr_scaling) {
    case LrScaling::kLinear: return cfg.lr * ratio;
    case LrScaling::kSqrt: return cfg.lr * std::sqrt(ratio);
    case LrScaling::kNone: break;
  }
  return cfg.lr;
}

double learning_rate_at(const TrainConfig& cfg, double base, int64_t step) {
  const double total = double(cfg.steps);
  if (cfg.schedule == LrSchedule::kOnecycle) {
    const double up = cfg.onecycle_pct * total - 1.0;  // as PyTorch: the step that peaks
    const double start = base / cfg.onecycle_div, end = start / cfg.onecycle_final_div;
    if (double(step) <= up) return cosine(start, base, up > 0 ? double(step) / up : 1.0);
    return cosine(base, end, (double(step) - up) / std::max(1.0, total - 1.0 - up));
  }
  const int64_t warm = cfg.warmup_steps;
  if (step < warm) return base * double(step + 1) / double(warm);
  const double after = double(step - warm);
  switch (cfg.schedule) {
    case LrSchedule::kCosine:
      return cosine(base, base * cfg.min_lr_fraction, after / std::max(1.0, total - double(warm)));
    case LrSchedule::kStep:
      return base * std::pow(cfg.step_gamma, std::floor(after / double(cfg.step_every)));
    case LrSchedule::kConstant:
    case LrSchedule::kOnecycle:
      break;
  }
  return base;
}

}  // namespace p2l
