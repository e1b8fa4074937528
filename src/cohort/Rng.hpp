#pragma once
// A small portable random generator (splitmix64) so a cohort is byte-identical for a seed on
// every platform and standard library: std:: distributions are implementation-defined.
#include <cmath>
#include <cstdint>

namespace p2l {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  // Independent stream for (seed, a, b): subject index and purpose, so draws never depend on
  // thread scheduling or on how many draws another stream made.
  static Rng stream(uint64_t seed, uint64_t a, uint64_t b = 0) {
    Rng r(seed);
    r.state_ = r.next() ^ (a * 0x9E3779B97F4A7C15ULL);
    r.state_ = r.next() ^ (b * 0xC2B2AE3D27D4EB4FULL);
    r.next();
    return r;
  }

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi].
  long integer(long lo, long hi) { return lo + long(next() % uint64_t(hi - lo + 1)); }
  // Standard normal (Box-Muller, one value per call for simplicity).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

}  // namespace p2l
