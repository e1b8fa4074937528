#include "train/TrainingLog.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "config/RunLayout.hpp"
#include "io/AtomicFile.hpp"

namespace p2l {
namespace {

std::string num(double x) {
  if (!std::isfinite(x)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

std::string duration(double s) {
  char buf[64];
  long t = long(s);
  std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", t / 3600, (t / 60) % 60, t % 60);
  return buf;
}

}  // namespace

TrainingLog::TrainingLog(const std::string& output_dir, bool active, int64_t total_steps,
                         int log_every, LogWords words)
    : active_(active), words_(std::move(words)), total_(total_steps), log_every_(log_every),
      window_start_(std::chrono::steady_clock::now()) {
  if (!active_) return;
  const RunLayout run(output_dir);
  make_parent_dirs(run.train_log());
  jsonl_.open(run.train_log_jsonl(), std::ios::app);
  text_.open(run.train_log(), std::ios::app);
  if (!jsonl_ || !text_) throw std::runtime_error(output_dir + ": cannot open the training logs");
}

void TrainingLog::note(const std::string& text) {
  if (!active_) return;
  std::cerr << text << std::endl;
  text_ << text << std::endl;
}

void TrainingLog::step(const StepRecord& r) {
  if (!active_) return;
  jsonl_ << "{\"step\": " << r.step << ", \"loss\": " << num(r.loss) << ", \"" << words_.items << "\": "
         << r.patches << ", \"seconds\": " << num(r.seconds) << ", \"allreduce_seconds\": "
         << num(r.allreduce_seconds) << ", \"lr\": " << num(r.lr) << ", \"wall_seconds\": "
         << num(r.wall_seconds) << "}\n";
  jsonl_.flush();
  window_patches_ += r.patches;
  ++window_steps_;
  if (r.step % log_every_ != 0 && r.step != total_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start_).count();
  double rate = elapsed > 0 ? window_patches_ / elapsed : 0;
  double eta = window_steps_ > 0 ? elapsed / window_steps_ * double(total_ - r.step) : 0;
  std::ostringstream os;
  os << "step " << r.step << "/" << total_ << "  loss " << num(r.loss) << "  val_err "
     << (last_val_error_ >= 0 ? num(last_val_error_) : std::string("-")) << "  " << words_.items << "/s "
     << long(rate) << "  allreduce " << num(r.allreduce_seconds * 1000) << " ms  lr " << num(r.lr) << "  ETA "
     << duration(eta);
  note(os.str());
  window_start_ = std::chrono::steady_clock::now();
  window_patches_ = window_steps_ = 0;
}

void TrainingLog::validation(const ValidationRecord& r) {
  if (!active_) return;
  last_val_error_ = r.location_error;
  jsonl_ << "{\"step\": " << r.step << ", \"val_loss\": " << num(r.loss)
         << ", \"val_" << words_.error_key << "\": " << num(r.location_error)
         << ", \"val_chance_error\": " << num(r.chance_error) << ", \"wall_seconds\": "
         << num(r.wall_seconds) << ", \"best\": "
         << (r.best ? "true" : "false") << "}\n";
  jsonl_.flush();
  std::ostringstream os;
  os << "validation at step " << r.step << ": loss " << num(r.loss) << "  " << words_.error << " "
     << num(r.location_error) << " (chance " << num(r.chance_error) << ")"
     << (r.best ? "  new best" : "");
  note(os.str());
}

}  // namespace p2l
