#include "scoring/OrderStatistics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/Statistics.hpp"
#include "scoring/ScoreKey.hpp"

namespace p2l {
namespace {

// The bucket holding ascending rank `rank`, and the rank's position inside it.
std::pair<uint16_t, uint64_t> bucket_of_rank(const std::vector<uint64_t>& counts, uint64_t rank) {
  for (size_t b = 0; b < counts.size(); ++b) {
    if (rank < counts[b]) return {uint16_t(b), rank};
    rank -= counts[b];
  }
  throw std::out_of_range("OrderStatistics: rank beyond the values counted");
}

}  // namespace

OrderStatistics::OrderStatistics() : coarse_(kScoreBuckets, 0) {}

void OrderStatistics::add(const std::vector<float>& values) {
  for (float v : values) ++coarse_[key_bucket(score_key(v))];
  n_ += values.size();
}

void OrderStatistics::want(size_t rank) {
  const uint16_t b = bucket_of_rank(coarse_, rank).first;
  fine_.try_emplace(b, std::vector<uint64_t>(kScoreBuckets, 0));
}

void OrderStatistics::want_quantile(double q) {
  if (n_ == 0) return;
  const PercentilePosition p = percentile_position(n_, q);
  want(p.lo), want(p.hi);
}

void OrderStatistics::want_exceeded_by(double fraction) {
  if (n_ > 0) want(rank_exceeded_by(fraction));
}

void OrderStatistics::refine(const std::vector<float>& values) {
  for (float v : values) {
    const uint32_t k = score_key(v);
    auto it = fine_.find(key_bucket(k));
    if (it != fine_.end()) ++it->second[key_rest(k)];
  }
}

double OrderStatistics::at(size_t rank) const {
  const auto [bucket, inside] = bucket_of_rank(coarse_, rank);
  auto it = fine_.find(bucket);
  if (it == fine_.end()) throw std::logic_error("OrderStatistics: rank not wanted before the second pass");
  const auto [rest, unused] = bucket_of_rank(it->second, inside);
  return double(score_of_key(key_of(bucket, rest)));
}

double OrderStatistics::quantile(double q) const {
  if (n_ == 0) throw std::runtime_error("quantile: no values");
  const PercentilePosition p = percentile_position(n_, q);
  return lerp_between(at(p.lo), at(p.hi), p.t);
}

size_t OrderStatistics::rank_exceeded_by(double fraction) const {
  // The k-th largest value (0-based) has at most k values above it.
  const size_t k = std::min(n_ - 1, size_t(std::floor(fraction * double(n_))));
  return n_ - 1 - k;
}

double OrderStatistics::exceeded_by(double fraction) const {
  if (n_ == 0) throw std::runtime_error("exceeded_by: no values");
  return at(rank_exceeded_by(fraction));
}

}  // namespace p2l
