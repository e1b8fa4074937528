#pragma once
// Scores as unsigned keys in the same order (IEEE-754 bit trick), so exact order statistics
// and threshold searches can count them in buckets of the key's leading 16 bits (65,536
// buckets, about 1/128 of a binade each) and resolve a bucket by its trailing 16 bits,
// without ever sorting or holding every score.
#include <cstdint>
#include <cstring>

namespace p2l {

inline constexpr size_t kScoreBuckets = 65536;

// -0 counts as +0: they compare equal as scores. NaN has no place in the order.
inline uint32_t score_key(float x) {
  if (x == 0.0f) x = 0.0f;
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

inline float score_of_key(uint32_t k) {
  const uint32_t u = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

inline uint16_t key_bucket(uint32_t k) { return uint16_t(k >> 16); }
inline uint16_t key_rest(uint32_t k) { return uint16_t(k & 0xffffu); }
inline uint32_t key_of(uint16_t bucket, uint16_t rest) { return (uint32_t(bucket) << 16) | rest; }

}  // namespace p2l
