#pragma once
// What rank 0 reports while training: one JSON object per step (and per validation) in
// train_log.jsonl, a human-readable train.log, and a progress line on stderr every log_every
// steps with step/total, loss, validation error, samples/s and ETA. Other ranks log nothing.
// The words for a model's samples and validation error are its own (LogWords).
#include <chrono>
#include <fstream>
#include <string>

namespace p2l {

// Patch2Loc counts patches and reports a location error; the autoencoder counts slices and
// reports a residual. `error_key` names the error in train_log.jsonl ("val_<error_key>").
struct LogWords {
  std::string items = "patches";
  std::string error = "location error";
  std::string error_key = "location_error";
};

struct StepRecord {
  int64_t step = 0;          // 1-based number of the step just completed
  double loss = 0;           // mean over ranks
  int64_t patches = 0;       // samples (LogWords::items) over all ranks
  double seconds = 0;        // wall time of the step
  double allreduce_seconds = 0;  // waiting on the gradient all-reduce
  double lr = 0;                 // learning rate of the step
  double wall_seconds = 0;       // since this process started training
};

struct ValidationRecord {
  int64_t step = 0;
  double loss = 0;
  double location_error = 0;  // mean |t - mu| over all ranks' validation patches (LogWords::error)
  double chance_error = 0;    // the same for always predicting the mean validation location / image
  double wall_seconds = 0;    // since this process started training
  bool best = false;
};

class TrainingLog {
 public:
  // Appends to the files in `output_dir` when `active` (rank 0).
  TrainingLog(const std::string& output_dir, bool active, int64_t total_steps, int log_every,
              LogWords words = {});
  void step(const StepRecord& r);
  void validation(const ValidationRecord& r);
  // A line for stderr and train.log.
  void note(const std::string& text);

 private:
  bool active_;
  LogWords words_;
  int64_t total_;
  int log_every_;
  std::ofstream jsonl_, text_;
  std::chrono::steady_clock::time_point window_start_;
  int64_t window_patches_ = 0, window_steps_ = 0;
  double last_val_error_ = -1;
};

}  // namespace p2l
