// The passes over the held splits (scoring/HeldSplits.hpp) against everything held and pooled:
// fusion statistics, healthy quantiles and rates, per-set and pooled validation-Dice thresholds,
// bit for bit, while the splits are lists that load a subject on each get().
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "io/Nifti.hpp"
#include "io/Statistics.hpp"
#include "scoring/HeldSplits.hpp"
#include "scoring/MethodMaps.hpp"
#include "scoring/MethodScoring.hpp"
#include "support/DiceSweep.hpp"
#include "support/TempDir.hpp"

using namespace p2l;

namespace {

Geometry grid() {
  Geometry g;
  g.size = {8, 8, 5};
  return g;
}

// A brain (all but the first slice) with scores spread over many buckets; a lesion of 30
// voxels raised by 2 when `diseased`.
EvalSubject subject(const std::string& id, int seed, bool diseased) {
  EvalSubject s;
  s.id = id, s.label = diseased;
  s.mask = LabelVolume(grid(), 1);
  s.raw = {FloatVolume(grid(), 0.0f), FloatVolume(grid(), 0.0f)};
  uint32_t h = 2166136261u ^ uint32_t(seed);
  for (size_t i = 0; i < s.raw.error.data.size(); ++i) {
    h = (h ^ uint32_t(i)) * 16777619u;
    s.mask.data[i] = i >= 64;
    s.raw.error.data[i] = float(h % 100000) / 7000.0f - 3.0f;
    s.raw.variance.data[i] = float((h >> 7) % 5000) / 900.0f;
  }
  if (diseased) {
    s.seg = LabelVolume(grid(), 0);
    for (size_t i = 100 + size_t(seed); i < 130 + size_t(seed); ++i) s.seg.data[i] = 1, s.raw.error.data[i] += 2;
  }
  return s;
}

struct Held {
  std::map<std::string, EvalSubject> subjects;
  std::map<std::string, int> loads;
};

SubjectList lazy(Held& held, const std::vector<std::string>& ids) {
  return SubjectList(ids, [&held](const std::string& id) {
    ++held.loads[id];
    return held.subjects.at(id);
  });
}

Method method(ScoreComponent score, int median, FusionMode fusion = FusionMode::kNone, double w = 0.5) {
  Method m;
  m.score = score, m.median_size = median, m.fusion = fusion, m.weight = w;
  if (fusion != FusionMode::kNone) m.partner = "ext";
  return m;
}

}  // namespace

TEST(HeldSplits, EqualToPoolingEveryVoxelWhileLoadingOneSubjectAtATime) {
  p2l::testing::TempDir dir("p2l_held");
  Held held;
  std::vector<std::string> ref = {"r1", "r2", "r3"}, va = {"a1", "a2", "a3"}, vb = {"b1", "b2"};
  int seed = 1;
  for (const auto& id : ref) held.subjects[id] = subject(id, seed++, false);
  for (const auto& id : va) held.subjects[id] = subject(id, seed++, true);
  for (const auto& id : vb) held.subjects[id] = subject(id, seed++, true);
  held.subjects["b3"] = subject("b3", seed++, false);  // no segmentation: not searched
  vb.push_back("b3");
  for (auto& [id, s] : held.subjects) {
    FloatVolume ext(grid(), 0.0f);
    for (size_t i = 0; i < ext.data.size(); ++i) ext.data[i] = float((i * 7 + id.size() * 3 + size_t(id[1])) % 11);
    write_nifti(dir / (id + ".nii.gz"), ext);
  }
  EvalInputs in;
  in.sets = {"a", "b", "c"};
  in.source_dirs["ext"] = dir.str();
  in.healthy_reference = lazy(held, ref);
  in.val["a"] = lazy(held, va);
  in.val["b"] = lazy(held, vb);
  const std::vector<Method> methods = {method(ScoreComponent::kError, 1), method(ScoreComponent::kBoth, 3),
                                       method(ScoreComponent::kError, 1, FusionMode::kFisher),
                                       method(ScoreComponent::kBoth, 3, FusionMode::kWeighted, 0.3),
                                       method(ScoreComponent::kVariance, 1)};
  HeldNeeds needs;
  needs.quantiles = {98, 50};
  needs.rates = {0.01, 0.1};
  needs.per_set = needs.pooled = true;
  const std::vector<HeldSummary> got = summarize_held_splits(methods, in, needs);

  // Every volume once per pass: the statistics (reference only), then counts and exact
  // thresholds for each of the 3 Patch2Loc variants (error m1, both m3, variance m1).
  for (const auto& id : ref) EXPECT_EQ(held.loads[id], 7) << id;
  for (const auto& id : va) EXPECT_EQ(held.loads[id], 6) << id;

  ASSERT_EQ(got.size(), methods.size());
  for (size_t k = 0; k < methods.size(); ++k) {
    const Method& m = methods[k];
    SourceMaps sources(in, false);
    const auto r1 = in.healthy_reference.get(0), r2 = in.healthy_reference.get(1), r3 = in.healthy_reference.get(2);
    MapStats sa, sb;
    if (m.fusion != FusionMode::kNone) {
      MapStatsAccumulator a(m.fusion == FusionMode::kFisher), b(m.fusion == FusionMode::kFisher);
      for (const auto& r : {r1, r2, r3}) a.add(sources.get(*r, m.source, m), r->mask), b.add(sources.get(*r, "ext", m), r->mask);
      sa = a.result(), sb = b.result();
      EXPECT_EQ(got[k].source_stats.mean, sa.mean) << k;
      EXPECT_EQ(got[k].source_stats.std, sa.std) << k;
      EXPECT_EQ(got[k].partner_stats.max, sb.max) << k;
      EXPECT_EQ(bool(got[k].source_stats.sorted), m.fusion == FusionMode::kFisher) << k;
    }
    const MethodMaps build(m, in, sources, sa, sb);
    std::vector<float> healthy;
    for (const auto& r : {r1, r2, r3}) {
      const auto v = in_brain(*r, build(*r));
      healthy.insert(healthy.end(), v.score.begin(), v.score.end());
    }
    std::sort(healthy.begin(), healthy.end());
    ASSERT_TRUE(got[k].has_healthy);
    EXPECT_EQ(got[k].quantile[0], percentile_lerp(healthy, 98)) << k;
    EXPECT_EQ(got[k].quantile[1], percentile_lerp(healthy, 50)) << k;
    for (size_t i = 0; i < needs.rates.size(); ++i) {
      const size_t above = size_t(std::floor(needs.rates[i] * double(healthy.size())));
      EXPECT_EQ(got[k].rate[i], healthy[healthy.size() - 1 - above]) << k;
    }
    std::vector<ScoredVolume> pooled;
    for (const auto& set : {"a", "b"}) {
      std::vector<ScoredVolume> vols;
      const SubjectList& l = in.val.at(set);
      for (size_t i = 0; i < l.size(); ++i) {
        const auto s = l.get(i);
        SourceMaps per_subject(in, false);  // its maps are keyed by the subject's address
        if (!s->seg.data.empty()) vols.push_back(in_brain(*s, build(*s, per_subject)));
      }
      const DiceChoice want = p2l::testing::sweep_every_score(vols);
      ASSERT_EQ(got[k].per_set.count(set), 1u);
      EXPECT_EQ(got[k].per_set.at(set).volumes, vols.size());
      EXPECT_EQ(got[k].per_set.at(set).choice.threshold, want.threshold) << k << set;
      EXPECT_EQ(got[k].per_set.at(set).choice.dice, want.dice) << k << set;
      pooled.insert(pooled.end(), vols.begin(), vols.end());
    }
    EXPECT_EQ(got[k].per_set.count("c"), 0u);  // no validation split
    ASSERT_TRUE(got[k].pooled);
    const DiceChoice want = p2l::testing::sweep_every_score(pooled);
    EXPECT_EQ(got[k].pooled->volumes, 5u);
    EXPECT_EQ(got[k].pooled->choice.threshold, want.threshold) << k;
    EXPECT_EQ(got[k].pooled->choice.dice, want.dice) << k;
  }
}

TEST(HeldSplits, NoReferenceVolumesNoHealthyThresholds) {
  EvalInputs in;
  in.sets = {"a"};
  in.val["a"] = {subject("a1", 1, true)};
  HeldNeeds needs;
  needs.quantiles = {98};
  needs.per_set = true;
  const auto got = summarize_held_splits({method(ScoreComponent::kError, 1)}, in, needs);
  EXPECT_FALSE(got[0].has_healthy);
  EXPECT_EQ(got[0].per_set.at("a").volumes, 1u);
}
