// The two-pass threshold searches against references that hold and sort every score: the
// Dice sweep over every distinct score (mean Dice summed afresh in volume order, the first of
// the highest kept), and order statistics of the sorted values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "io/Statistics.hpp"
#include "scoring/DiceThresholdSearch.hpp"
#include "scoring/OrderStatistics.hpp"
#include "scoring/ScoreKey.hpp"
#include "scoring/Thresholds.hpp"
#include "support/DiceSweep.hpp"

using namespace p2l;

namespace {

// Scores from `draw`, lesion voxels more likely at high scores; some volumes without lesion.
std::vector<ScoredVolume> volumes(std::mt19937& rng, size_t n, size_t voxels, const std::function<float()>& draw) {
  std::vector<ScoredVolume> out(n);
  for (size_t v = 0; v < n; ++v) {
    const bool healthy = v % 4 == 3;
    for (size_t i = 0; i < voxels; ++i) {
      const float s = draw();
      out[v].score.push_back(s);
      out[v].label.push_back(!healthy && std::uniform_real_distribution<float>(0, 1)(rng) < 0.2f + 0.1f * std::tanh(s));
    }
  }
  return out;
}

void expect_same(const DiceChoice& got, const DiceChoice& want, const char* what) {
  EXPECT_EQ(got.dice, want.dice) << what;
  EXPECT_EQ(got.threshold, want.threshold) << what;
}

}  // namespace

TEST(ScoreKey, OrdersLikeTheScoresAndRoundTrips) {
  const std::vector<float> v = {-std::numeric_limits<float>::infinity(), -3e38f, -2.5f, -1e-30f, -0.0f, 0.0f,
                                1e-30f, 0.1f, 2.5f, 3e38f, std::numeric_limits<float>::infinity()};
  for (size_t i = 0; i + 1 < v.size(); ++i) EXPECT_LE(score_key(v[i]), score_key(v[i + 1])) << v[i];
  EXPECT_EQ(score_key(-0.0f), score_key(0.0f));
  for (float x : v) EXPECT_EQ(score_of_key(score_key(x)), x);
}

TEST(DiceThresholdSearch, EqualsTheSweepOverEveryScore) {
  std::mt19937 rng(11);
  std::normal_distribution<float> wide(0, 3);
  std::uniform_int_distribution<int> few(0, 7);
  // Spread over many buckets; heavy ties; one bucket only (1.0 to 1.0078 share their leading
  // 16 bits), so everything is resolved in the second pass; zeros of both signs.
  const std::vector<std::pair<const char*, std::function<float()>>> kinds = {
      {"wide", [&] { return wide(rng); }},
      {"ties", [&] { return float(few(rng)) / 4.0f; }},
      {"one bucket", [&] { return 1.0f + float(few(rng)) * 1e-3f + float(rng() % 1000) * 1e-6f; }},
      {"signed zeros", [&] { return few(rng) < 3 ? (few(rng) < 4 ? -0.0f : 0.0f) : wide(rng); }},
  };
  for (const auto& [what, draw] : kinds)
    for (size_t n : {1, 2, 5}) {
      const auto vols = volumes(rng, n, 300, draw);
      expect_same(best_dice_threshold(vols), p2l::testing::sweep_every_score(vols), what);
    }
}

TEST(DiceThresholdSearch, EdgeCasesAsTheSweep) {
  // No voxels at all; a volume without voxels beside one with; every voxel a lesion.
  expect_same(best_dice_threshold({ScoredVolume{}}), p2l::testing::sweep_every_score({ScoredVolume{}}), "empty");
  const std::vector<ScoredVolume> mixed = {ScoredVolume{}, ScoredVolume{{0.5f, 0.2f, 0.9f}, {1, 0, 1}}};
  expect_same(best_dice_threshold(mixed), p2l::testing::sweep_every_score(mixed), "one empty");
  const std::vector<ScoredVolume> all = {ScoredVolume{{0.3f, 0.3f, -7.0f}, {1, 1, 1}}};
  expect_same(best_dice_threshold(all), p2l::testing::sweep_every_score(all), "all lesion");
  EXPECT_LT(best_dice_threshold(all).threshold, -7.0);
  EXPECT_THROW(best_dice_threshold({}), std::runtime_error);
}

TEST(DiceThresholdSearch, TwoPassesAsTheSweep) {
  // 20,000 voxels a volume over 20 binades (about 260 buckets), fed as volumes read one at a time.
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> bucket(0, 19);
  auto vols = volumes(rng, 3, 20000, [&] { return std::ldexp(1.0f + float(rng() % 100) / 1000.0f, bucket(rng)); });
  DiceThresholdSearch s;
  for (const auto& v : vols) s.add(v);
  ASSERT_TRUE(s.needs_second_pass());
  for (const auto& v : vols) s.refine(v);
  expect_same(s.result(), p2l::testing::sweep_every_score(vols), "20 buckets");
  EXPECT_THROW(s.refine(vols[0]), std::logic_error);  // a fourth volume in pass 2
}

TEST(OrderStatistics, QuantilesAndRatesEqualSorting) {
  std::mt19937 rng(2);
  std::normal_distribution<float> wide(0, 5);
  std::uniform_int_distribution<int> few(-3, 3);
  for (int kind = 0; kind < 3; ++kind) {
    std::vector<float> chunk1, chunk2;
    for (int i = 0; i < 5000; ++i) {
      const float x = kind == 0 ? wide(rng) : kind == 1 ? float(few(rng)) : 1.0f + float(rng() % 4096) * 1e-6f;
      (i % 3 ? chunk1 : chunk2).push_back(x);
    }
    std::vector<float> sorted = chunk1;
    sorted.insert(sorted.end(), chunk2.begin(), chunk2.end());
    std::sort(sorted.begin(), sorted.end());
    OrderStatistics os;
    os.add(chunk1), os.add(chunk2);
    const std::vector<double> qs = {0, 1, 37.5, 98, 99.9, 100};
    const std::vector<double> rates = {0, 0.01, 0.05, 0.1, 1};
    for (double q : qs) os.want_quantile(q);
    for (double r : rates) os.want_exceeded_by(r);
    os.refine(chunk2), os.refine(chunk1);  // the second pass in another order
    for (double q : qs) EXPECT_EQ(os.quantile(q), percentile_lerp(sorted, q)) << "kind " << kind << " q " << q;
    for (double r : rates) {
      const size_t k = std::min(sorted.size() - 1, size_t(std::floor(r * double(sorted.size()))));
      EXPECT_EQ(os.exceeded_by(r), sorted[sorted.size() - 1 - k]) << "kind " << kind << " rate " << r;
    }
  }
  OrderStatistics unwanted;
  unwanted.add({1, 2, 3});
  unwanted.refine({1, 2, 3});
  EXPECT_THROW(unwanted.at(1), std::logic_error);
}
