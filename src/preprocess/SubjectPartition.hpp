#pragma once
// Balances subjects over ranks by work (voxel count) rather than by index.
#include <cstdint>
#include <vector>

namespace p2l {

// Greedy largest-first: subjects in decreasing cost (ties: lower index first) each go to the
// rank with the least total so far (ties: lower rank). Returns the owner rank per subject.
std::vector<int> partition_by_cost(const std::vector<uint64_t>& cost, int ranks);

}  // namespace p2l
