#pragma once
// The training-curve figure of one run.
#include <string>
#include <vector>

#include "report/FigureFiles.hpp"

namespace p2l {

// One training run's log (see read_training_log): per step and per validation, ascending step.
struct TrainingSeries {
  std::vector<double> step, loss, wall;  // wall: seconds, accumulated over resumed runs
  std::vector<double> val_step, val_loss, val_error, val_chance, val_wall;
  std::string error_key;  // the validation error's name ("location_error", "residual"); empty: none
};

// A 2 x 2 page: loss (training, its running mean, validation) and validation error (with the
// chance level) against step and against wall time. The loss axis is logarithmic when every
// loss is positive.
FigureFiles plot_training_curves(const std::string& base, const TrainingSeries& s, const std::string& title);

}  // namespace p2l
