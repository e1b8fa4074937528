#include "io/ProgressMeter.hpp"

#include <cmath>
#include <cstdio>

namespace p2l {

ProgressMeter::ProgressMeter(std::string label, long total, double interval, std::ostream& out)
    : label_(std::move(label)), total_(total), interval_(interval), out_(out),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

double ProgressMeter::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressMeter::line(long done) const {
  const double t = elapsed_seconds();
  const double rate = t > 0 ? done / t : 0.0;
  char buf[256];
  if (done > 0 && done < total_ && rate > 0)
    std::snprintf(buf, sizeof buf, "%s: %ld/%ld (%.0f%%), %.2f/s, ETA %.0fs", label_.c_str(), done,
                  total_, 100.0 * done / std::max(1L, total_), rate, (total_ - done) / rate);
  else
    std::snprintf(buf, sizeof buf, "%s: %ld/%ld (%.0f%%), %.2f/s, %.1fs elapsed", label_.c_str(),
                  done, total_, 100.0 * done / std::max(1L, total_), rate, t);
  return buf;
}

void ProgressMeter::tick() {
  long done;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done = ++ticks_;
  }
  update(done);
}

void ProgressMeter::update(long done) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  bool due = std::chrono::duration<double>(now - last_).count() >= interval_;
  if (done == last_done_ || (!due && done != total_)) return;
  last_ = now;
  last_done_ = done;
  // One write per line: ranks that share a terminal never cut into each other's lines.
  out_ << line(done) + "\n" << std::flush;
}

}  // namespace p2l
