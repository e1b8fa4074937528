#pragma once
// The threshold that maximises the mean Dice over volumes, found exactly in two passes over
// them while holding per volume only counts:
// - pass 1 keeps, per volume, the positives and negatives in each occupied bucket of the score
//   keys (scoring/ScoreKey.hpp). That gives the exact mean Dice at every bucket edge, and for
//   each bucket an upper bound on any threshold inside it (all its positives gained, none of
//   its negatives);
// - only buckets whose bound reaches the best edge can hold the optimum. Pass 2 counts the
//   distinct scores inside those buckets, and the final sweep visits every threshold there
//   and every edge elsewhere.
// The result equals a sweep over every distinct score (the reference in the tests): of the
// thresholds with the highest mean Dice, the highest. The mean is summed afresh in volume order
// wherever it can decide, so it does not depend on the order of the sweep's updates.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "scoring/Thresholds.hpp"

namespace p2l {

class DiceThresholdSearch {
 public:
  // Pass 1: every volume, in order.
  void add(const ScoredVolume& v);
  size_t volumes() const { return coarse_.size(); }
  // Between the passes (once): whether pass 2 is needed; false when no bucket can beat an edge.
  bool needs_second_pass();
  // Pass 2: the same volumes in the same order.
  void refine(const ScoredVolume& v);
  // A threshold maximising the mean Dice (DiceChoice in Thresholds.hpp); throws without volumes.
  DiceChoice result() const;
  // The counts held, in bytes (what grows with the volumes).
  size_t bytes() const;

 private:
  struct Counts {
    uint32_t key;  // pass 1: the bucket's largest key; pass 2: the exact key
    uint32_t pos, neg;
  };
  std::vector<std::vector<Counts>> coarse_;  // per volume: occupied buckets, descending
  std::vector<std::vector<Counts>> fine_;    // per volume: distinct keys in candidate buckets, descending
  std::vector<uint64_t> positives_;         // per volume
  std::vector<uint8_t> candidate_;           // per bucket: can hold the optimum
  uint32_t min_key_ = UINT32_MAX;
  bool planned_ = false;
  size_t refined_ = 0;
};

}  // namespace p2l
