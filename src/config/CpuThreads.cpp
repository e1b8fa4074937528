#include "config/CpuThreads.hpp"

#include <algorithm>
#include <thread>

namespace p2l {

int cpu_threads(int run_threads, int ranks_on_node, int cores) {
  if (run_threads > 0) return run_threads;
  return std::max(1, std::max(1, cores) / std::max(1, ranks_on_node));
}

int cpu_threads(int run_threads, int ranks_on_node) {
  return cpu_threads(run_threads, ranks_on_node, int(std::thread::hardware_concurrency()));
}

}  // namespace p2l
