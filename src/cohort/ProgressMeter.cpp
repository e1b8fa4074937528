#include "cohort/ProgressMeter.hpp"

#include <cstdio>

namespace p2l {

ProgressMeter::ProgressMeter(std::string what, size_t total)
    : what_(std::move(what)), total_(total), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressMeter::tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  auto now = std::chrono::steady_clock::now();
  if (done_ == total_ || now - last_draw_ > std::chrono::milliseconds(250)) {
    last_draw_ = now;
    draw(false);
  }
}

void ProgressMeter::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  draw(true);
}

void ProgressMeter::draw(bool final_line) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? done_ / secs : 0;
  double eta = rate > 0 ? (total_ - done_) / rate : 0;
  std::fprintf(stderr, "\r%s: %zu/%zu, %.2f/s, %s %.0fs   %s", what_.c_str(), done_, total_, rate,
               final_line ? "took" : "ETA", final_line ? secs : eta, final_line ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace p2l
