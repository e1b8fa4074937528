#include "scoring/DiceThresholdSearch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "scoring/ScoreKey.hpp"

namespace p2l {
namespace {

// Bounds the rounding of the running sums (at most a few 1e-9 of a mean Dice for hundreds of
// volumes and millions of updates): running means this far below the best are never the best.
constexpr double kMargin = 1e-6;

double dice_of(uint64_t tp, uint64_t fp, uint64_t positives) {
  const uint64_t den = tp + fp + positives;  // 2tp + fp + fn
  return den == 0 ? 1.0 : 2.0 * double(tp) / double(den);
}

}  // namespace

void DiceThresholdSearch::add(const ScoredVolume& v) {
  if (planned_) throw std::logic_error("DiceThresholdSearch: a volume added after the first pass");
  std::vector<uint32_t> pos(kScoreBuckets, 0), neg(kScoreBuckets, 0), top(kScoreBuckets, 0);
  uint64_t positives = 0;
  for (size_t i = 0; i < v.score.size(); ++i) {
    const uint32_t k = score_key(v.score[i]);
    const uint16_t b = key_bucket(k);
    if (v.label[i]) ++pos[b], ++positives;
    else ++neg[b];
    top[b] = std::max(top[b], k);
    min_key_ = std::min(min_key_, k);
  }
  std::vector<Counts> c;
  for (size_t b = kScoreBuckets; b-- > 0;)
    if (pos[b] + neg[b] > 0) c.push_back({top[b], pos[b], neg[b]});
  coarse_.push_back(std::move(c));
  positives_.push_back(positives);
}

bool DiceThresholdSearch::needs_second_pass() {
  if (planned_) throw std::logic_error("DiceThresholdSearch: planned twice");
  planned_ = true;
  candidate_.assign(kScoreBuckets, 0);
  const size_t n = coarse_.size();
  struct Entry {
    uint16_t bucket;
    uint32_t volume, pos, neg;
  };
  std::vector<Entry> all;
  for (size_t v = 0; v < n; ++v)
    for (const auto& c : coarse_[v]) all.push_back({key_bucket(c.key), uint32_t(v), c.pos, c.neg});
  std::stable_sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.bucket > b.bucket; });
  std::vector<uint64_t> tp(n, 0), fp(n, 0);
  double sum = 0;
  for (size_t v = 0; v < n; ++v) sum += dice_of(0, 0, positives_[v]);
  double best_edge = n ? sum / double(n) : 0;
  struct Bound {
    uint16_t bucket;
    double mean;
  };
  std::vector<Bound> bounds;  // buckets with positives: only they can hold a threshold above every edge
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    double bound = sum;
    bool gains = false;
    for (; j < all.size() && all[j].bucket == all[i].bucket; ++j) {
      const Entry& e = all[j];
      bound += dice_of(tp[e.volume] + e.pos, fp[e.volume], positives_[e.volume]) -
               dice_of(tp[e.volume], fp[e.volume], positives_[e.volume]);
      gains |= e.pos > 0;
    }
    if (gains) bounds.push_back({all[i].bucket, bound / double(n)});
    for (; i < j; ++i) {
      const Entry& e = all[i];
      sum -= dice_of(tp[e.volume], fp[e.volume], positives_[e.volume]);
      tp[e.volume] += e.pos, fp[e.volume] += e.neg;
      sum += dice_of(tp[e.volume], fp[e.volume], positives_[e.volume]);
    }
    best_edge = std::max(best_edge, sum / double(n));
  }
  bool any = false;
  for (const auto& b : bounds)
    if (b.mean >= best_edge - kMargin) candidate_[b.bucket] = 1, any = true;
  return any;
}

void DiceThresholdSearch::refine(const ScoredVolume& v) {
  if (!planned_) throw std::logic_error("DiceThresholdSearch: refine before needs_second_pass");
  if (refined_ == coarse_.size()) throw std::logic_error("DiceThresholdSearch: more volumes refined than added");
  ++refined_;
  std::vector<std::pair<uint32_t, uint8_t>> keys;
  for (size_t i = 0; i < v.score.size(); ++i) {
    const uint32_t k = score_key(v.score[i]);
    if (candidate_[key_bucket(k)]) keys.emplace_back(k, v.label[i]);
  }
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Counts> c;
  for (const auto& [k, label] : keys) {
    if (c.empty() || c.back().key != k) c.push_back({k, 0, 0});
    (label ? c.back().pos : c.back().neg)++;
  }
  fine_.push_back(std::move(c));
}

size_t DiceThresholdSearch::bytes() const {
  size_t n = candidate_.size() + positives_.size() * sizeof(uint64_t);
  for (const auto* all : {&coarse_, &fine_})
    for (const auto& c : *all) n += c.size() * sizeof(Counts);
  return n;
}

DiceChoice DiceThresholdSearch::result() const {
  const size_t n = coarse_.size();
  if (n == 0) throw std::runtime_error("best_dice_threshold: no volumes");
  if (!planned_) throw std::logic_error("DiceThresholdSearch: result before needs_second_pass");
  if (std::count(candidate_.begin(), candidate_.end(), 1) > 0 && refined_ != n)
    throw std::logic_error("DiceThresholdSearch: result before every volume was refined");
  // One step per group of voxels predicted together: a bucket that cannot hold the optimum at
  // once, a candidate bucket one distinct score at a time. `top` is the group's highest score.
  struct Step {
    uint32_t group, top, volume, pos, neg;
  };
  std::vector<Step> steps;
  for (size_t v = 0; v < n; ++v) {
    for (const auto& c : coarse_[v])
      if (!candidate_[key_bucket(c.key)]) steps.push_back({key_of(key_bucket(c.key), 0xffff), c.key, uint32_t(v), c.pos, c.neg});
    if (v < fine_.size())
      for (const auto& c : fine_[v]) steps.push_back({c.key, c.key, uint32_t(v), c.pos, c.neg});
  }
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.group > b.group; });
  std::vector<uint64_t> tp(n, 0), fp(n, 0);
  auto fresh_mean = [&] {
    double s = 0;
    for (size_t v = 0; v < n; ++v) s += dice_of(tp[v], fp[v], positives_[v]);
    return s / double(n);
  };
  double sum = fresh_mean() * double(n);
  DiceChoice best;
  best.dice = fresh_mean();
  best.threshold = 0;
  // The highest score of each group, in order: the threshold that predicts the groups above it.
  std::vector<uint32_t> tops;
  for (size_t i = 0; i < steps.size();) {
    uint32_t top = 0;
    size_t j = i;
    for (; j < steps.size() && steps[j].group == steps[i].group; ++j) top = std::max(top, steps[j].top);
    tops.push_back(top);
    i = j;
  }
  if (!tops.empty()) best.threshold = double(score_of_key(tops.front()));
  size_t group = 0;
  for (size_t i = 0; i < steps.size(); ++group) {
    const uint32_t g = steps[i].group;
    for (; i < steps.size() && steps[i].group == g; ++i) {
      const Step& s = steps[i];
      sum -= dice_of(tp[s.volume], fp[s.volume], positives_[s.volume]);
      tp[s.volume] += s.pos, fp[s.volume] += s.neg;
      sum += dice_of(tp[s.volume], fp[s.volume], positives_[s.volume]);
    }
    if (sum / double(n) < best.dice - kMargin) continue;
    const double mean = fresh_mean();
    if (mean > best.dice) {
      best.dice = mean;
      best.threshold = group + 1 < tops.size() ? double(score_of_key(tops[group + 1]))
                                               : std::nextafter(double(score_of_key(min_key_)),
                                                                -std::numeric_limits<double>::infinity());
    }
  }
  return best;
}

}  // namespace p2l
