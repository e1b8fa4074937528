#include "preprocess/SubjectPartition.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace p2l {

std::vector<int> partition_by_cost(const std::vector<uint64_t>& cost, int ranks) {
  if (ranks < 1) throw std::runtime_error("partition_by_cost: ranks must be >= 1");
  std::vector<size_t> order(cost.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cost[a] > cost[b]; });
  std::vector<uint64_t> load(size_t(ranks), 0);
  std::vector<int> owner(cost.size(), 0);
  for (size_t s : order) {
    int r = int(std::min_element(load.begin(), load.end()) - load.begin());
    owner[s] = r;
    load[r] += cost[s];
  }
  return owner;
}

}  // namespace p2l
