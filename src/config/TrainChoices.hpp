#pragma once
// Training's closed vocabularies (SPEC section 5): the one owner of the ids train.* and ae.*
// accept. The config parses them here; past it, code switches on the enums.
#include "config/NamedEnum.hpp"

namespace p2l {

// Patch2Loc's location loss.
enum class LocationLoss { kBetaNll, kMse, kStirn };
inline const NamedEnum<LocationLoss>& location_losses() {
  static const NamedEnum<LocationLoss> e{
      {LocationLoss::kBetaNll, "beta_nll"}, {LocationLoss::kMse, "mse"}, {LocationLoss::kStirn, "stirn"}};
  return e;
}

// The autoencoder's reconstruction loss over the brain mask.
enum class ReconstructionLoss { kL1, kMse };
inline const NamedEnum<ReconstructionLoss>& reconstruction_losses() {
  static const NamedEnum<ReconstructionLoss> e{{ReconstructionLoss::kL1, "l1"}, {ReconstructionLoss::kMse, "mse"}};
  return e;
}

// The learning rate over the steps (train/LearningRateSchedule.hpp).
enum class LrSchedule { kConstant, kCosine, kOnecycle, kStep };
inline const NamedEnum<LrSchedule>& lr_schedules() {
  static const NamedEnum<LrSchedule> e{{LrSchedule::kConstant, "constant"},
                                       {LrSchedule::kCosine, "cosine"},
                                       {LrSchedule::kOnecycle, "onecycle"},
                                       {LrSchedule::kStep, "step"}};
  return e;
}

// How the learning rate follows the global batch.
enum class LrScaling { kNone, kLinear, kSqrt };
inline const NamedEnum<LrScaling>& lr_scalings() {
  static const NamedEnum<LrScaling> e{{LrScaling::kNone, "none"}, {LrScaling::kLinear, "linear"}, {LrScaling::kSqrt, "sqrt"}};
  return e;
}

}  // namespace p2l
