#pragma once
// A progress line on stderr for long loops: done/total, rate and ETA; thread-safe.
#include <chrono>
#include <mutex>
#include <string>

namespace p2l {

class ProgressMeter {
 public:
  ProgressMeter(std::string what, size_t total);
  void tick();    // one more item done (redraws at most a few times a second)
  void finish();  // final line with the total time

 private:
  void draw(bool final_line);
  std::string what_;
  size_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
};

}  // namespace p2l
