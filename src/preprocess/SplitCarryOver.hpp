#pragma once
// Splits a store already holds and this run does not preprocess are carried over into the new
// manifest (subjects, shards, failures and skipped rows), so adding one set to a store keeps
// the others: `data.test_sets=[misplaced]` into the main job's store leaves its tumor_test in
// place. Only splits preprocessed with the same settings (config hash) are carried over;
// `preprocess.drop_other_splits` drops them instead.
#include <string>
#include <vector>

#include "store/Manifest.hpp"

namespace p2l {

struct CarryOver {
  std::vector<std::string> kept;     // split names carried over, in the previous order
  std::vector<std::string> dropped;  // "<split>: <why>" for splits left out
};

// Appends to `next` (this run's manifest, its splits already filled) every split of `previous`
// that `next` lacks, after next's own splits.
CarryOver carry_over_splits(const Manifest& previous, Manifest& next, bool drop);

}  // namespace p2l
