#pragma once
// Exact order statistics of values that arrive volume by volume, in two passes over the same
// values, holding counts rather than values: the first pass counts the values per bucket of
// their key (scoring/ScoreKey.hpp), the second counts, inside the buckets of the wanted ranks
// only, the keys' trailing bits. Memory: 512 KiB plus 512 KiB per wanted bucket, whatever the
// number of values; the result equals sorting them all.
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace p2l {

class OrderStatistics {
 public:
  OrderStatistics();
  // Pass 1: every value (in any order, in any chunks).
  void add(const std::vector<float>& values);
  size_t count() const { return n_; }

  // Between the passes: the ranks wanted (0-based, ascending order; rank < count()).
  void want(size_t rank);
  // Wants the ranks of quantile() / exceeded_by() below.
  void want_quantile(double q);
  void want_exceeded_by(double fraction);
  bool needs_second_pass() const { return !fine_.empty(); }

  // Pass 2: the same values again.
  void refine(const std::vector<float>& values);

  // After pass 2, of wanted ranks only (throws otherwise).
  double at(size_t rank) const;
  // The q-th percentile (0..100) as percentile_lerp of the sorted values (io/Statistics.hpp).
  double quantile(double q) const;
  // The lowest value with at most floor(fraction * count()) values strictly above it: the
  // threshold of a false-positive rate `fraction` on these values.
  double exceeded_by(double fraction) const;
  size_t bytes() const { return (1 + fine_.size()) * kBucketBytes; }  // the counts held

 private:
  static constexpr size_t kBucketBytes = 65536 * sizeof(uint64_t);
  size_t rank_exceeded_by(double fraction) const;
  std::vector<uint64_t> coarse_;                     // values per bucket
  std::map<uint16_t, std::vector<uint64_t>> fine_;  // wanted bucket -> values per trailing bits
  size_t n_ = 0;
};

}  // namespace p2l
