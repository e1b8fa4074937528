#pragma once
// "done/total, rate, ETA" lines for long jobs, printed at most every `interval` seconds, one
// line each (not carriage returns) so logs stay readable. Thread-safe.
#include <chrono>
#include <mutex>
#include <ostream>
#include <string>

namespace p2l {

class ProgressMeter {
 public:
  ProgressMeter(std::string label, long total, double interval_seconds, std::ostream& out);
  // Reports `done` items; prints when the interval has passed or when done == total.
  void update(long done);
  // One more item done (for parallel loops that only count).
  void tick();
  double elapsed_seconds() const;
  // The line update() prints, e.g. "preprocess: 12/40 (30%), 3.10/s, ETA 9s".
  std::string line(long done) const;

 private:
  std::string label_;
  long total_;
  double interval_;
  std::ostream& out_;
  std::chrono::steady_clock::time_point start_, last_;
  long last_done_ = -1;
  long ticks_ = 0;
  std::mutex mutex_;
};

}  // namespace p2l
