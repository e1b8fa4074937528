#pragma once
// The steps of one data-parallel training run: the learning rate and its schedule, and how
// often the run validates, checkpoints and logs. Patch2Loc (train.*) and the autoencoder
// (ae.*) each own one, bound by the one bind below, so the two sections cannot drift apart.
#include <string>

#include "config/TrainChoices.hpp"

namespace p2l {
class Schema;

struct LoopConfig {
  double lr = 1e-2;
  LrSchedule schedule = LrSchedule::kConstant;  // see train/LearningRateSchedule.hpp
  int warmup_steps = 0;
  int steps = 20000;
  int val_every = 200;
  int checkpoint_every = 200;
  int log_every = 10;
};

// Binds `<section>.lr`, `<section>.schedule`, ... to `c`.
void bind(Schema& s, const std::string& section, LoopConfig& c);

}  // namespace p2l
