#pragma once
#include <string>
#include <vector>

namespace p2l {
class Schema;

// Where a run writes, how it seeds and how many threads it uses.
struct RunConfig {
  std::string output_dir = "runs/default";
  long seed = 3141;
  int threads = 0;  // 0: all cores
  double progress_seconds = 2.0;
  // auto, or the interface every transport uses between nodes (dist/NetworkInterface.hpp).
  std::string network_interface = "auto";
};

void bind(Schema& s, RunConfig& c);

}  // namespace p2l
