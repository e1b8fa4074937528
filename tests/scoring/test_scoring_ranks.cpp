#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "config/EvalConfig.hpp"
#include "scoring/MethodScoring.hpp"
#include "scoring/MethodSelection.hpp"
#include "scoring/TestScoring.hpp"
#include "support/ThreadWorld.hpp"

using namespace p2l;

namespace {

Geometry grid() {
  Geometry g;
  g.size = {4, 4, 3};
  return g;
}

// A 4x4x3 brain whose error scores differ voxel by voxel (from `seed`); a lesion of 6 voxels
// starting at `at`, raised by `on`.
EvalSubject subject(const std::string& id, int seed, int at, float on) {
  EvalSubject s;
  s.id = id, s.label = at >= 0;
  s.mask = LabelVolume(grid(), 1);
  s.raw = {FloatVolume(grid(), 0.0f), FloatVolume(grid(), 0.0f)};
  for (size_t i = 0; i < s.raw.error.data.size(); ++i) {
    s.raw.error.data[i] = float((i * 37 + size_t(seed) * 11) % 17) / 10.0f;
    s.raw.variance.data[i] = float((i * 13 + size_t(seed) * 5) % 7) / 10.0f;
  }
  if (at >= 0) {
    s.seg = LabelVolume(grid(), 0);
    for (int i = at; i < at + 6; ++i) s.seg.data[size_t(i)] = 1, s.raw.error.data[size_t(i)] += on;
  }
  return s;
}

// The inputs of rank 0 (`held`: with the healthy reference and validation splits) or of another
// rank (test splits only). Set a: 5 test volumes; b: 1 (fewer than the ranks); c: no validation
// split.
EvalInputs inputs(bool held) {
  EvalInputs in;
  in.sets = {"a", "b", "c"};
  in.test["a"] = {subject("a1", 1, 0, 2), subject("a2", 2, 10, 1), subject("a3", 3, 20, 3), subject("a4", 4, 30, 0.5f),
                  subject("a5", 5, 40, 2)};
  in.test["b"] = {subject("b1", 6, 5, 1)};
  in.test["c"] = {subject("c1", 7, 8, 2), subject("c2", 8, 16, 2)};
  in.healthy_test = {subject("h1", 9, -1, 0), subject("h2", 10, -1, 0)};
  if (held) {
    in.val["a"] = {subject("av1", 11, 3, 2), subject("av2", 12, 25, 1)};
    in.val["b"] = {subject("bv1", 13, 12, 2)};
    in.healthy_reference = {subject("r1", 14, -1, 0), subject("r2", 15, -1, 0)};
  }
  return in;
}

MethodGrid methods() {
  EvalConfig c;
  c.score = ScoreComponent::kBoth, c.median_size = 1;
  c.thresholds = {ThresholdRuleKind::kBestDicePerVolume, ThresholdRuleKind::kValidationDice,
                  ThresholdRuleKind::kHealthyQuantile, ThresholdRuleKind::kFpr};
  c.healthy_quantile = 90, c.fpr_targets = {0.05};
  c.fusion_pairs = {"patch2loc*patch2loc"};
  c.fusion_modes = {FusionMode::kProduct, FusionMode::kFisher};  // fisher: the healthy values travel with the plan
  return method_grid_from_config(c);
}

std::vector<Method> candidates() {
  std::vector<Method> c;
  for (auto score : {ScoreComponent::kError, ScoreComponent::kBoth, ScoreComponent::kVariance})
    c.push_back({score, 1, FusionMode::kNone, 0.5, source_name(BuiltInSource::kPatch2Loc), ""});
  return c;
}

// Equal, or both NaN (a healthy volume's AUROC).
bool same(double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); }

void expect_same(const MethodResults& a, const MethodResults& b) {
  ASSERT_EQ(a.volumes.size(), b.volumes.size());
  for (size_t i = 0; i < a.volumes.size(); ++i) {
    const VolumeRow &x = a.volumes[i], &y = b.volumes[i];
    EXPECT_EQ(x.method_id + x.rule_id + x.set + x.id, y.method_id + y.rule_id + y.set + y.id) << i;
    EXPECT_EQ(x.method + x.rule, y.method + y.rule) << i;
    EXPECT_EQ(x.label, y.label) << i;
    for (double VolumeRow::*f : {&VolumeRow::threshold, &VolumeRow::auroc, &VolumeRow::auprc, &VolumeRow::dice,
                                 &VolumeRow::precision, &VolumeRow::recall, &VolumeRow::fpr, &VolumeRow::specificity,
                                 &VolumeRow::hd95, &VolumeRow::hd_max, &VolumeRow::gt_ml, &VolumeRow::pred_ml})
      EXPECT_TRUE(same(x.*f, y.*f)) << i << ": " << x.*f << " vs " << y.*f;
  }
  ASSERT_EQ(a.summary.size(), b.summary.size());
  for (size_t i = 0; i < a.summary.size(); ++i) {
    EXPECT_EQ(a.summary[i].method_id + a.summary[i].rule_id + a.summary[i].set,
              b.summary[i].method_id + b.summary[i].rule_id + b.summary[i].set) << i;
    EXPECT_TRUE(same(a.summary[i].slice_auroc, b.summary[i].slice_auroc)) << i;
    EXPECT_TRUE(same(a.summary[i].slice_auprc, b.summary[i].slice_auprc)) << i;
    ASSERT_EQ(a.summary[i].metrics.size(), b.summary[i].metrics.size());
    for (const auto& [k, v] : a.summary[i].metrics) {
      EXPECT_TRUE(same(v.mean, b.summary[i].metrics.at(k).mean)) << i << " " << k;
      EXPECT_TRUE(same(v.std, b.summary[i].metrics.at(k).std)) << i << " " << k;
    }
  }
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.notes, b.notes);
}

}  // namespace

// The evaluation on three ranks: rank 0 plans from the held splits, the plan travels as bytes,
// each rank scores its share of the test volumes (set b's one volume leaves two ranks without
// any) and rank 0 adds the measurements in order. Every row, summary, slice metric and note
// equals the one-process result, configured and validation-selected methods alike.
TEST(ScoringRanks, ThreeRanksGiveTheResultsOfOne) {
  const MethodGrid grid = methods();
  const EvalInputs all = inputs(true);
  const MethodSelection sel = select_methods(candidates(), all, true, true);
  ASSERT_EQ(sel.per_set.size(), 2u);  // a and b; c has no validation split
  MethodResults one = score_methods(grid, all);
  score_selected(sel, all, one);
  ASSERT_FALSE(one.volumes.empty());
  ASSERT_NE(std::find_if(one.notes.begin(), one.notes.end(),
                         [](const std::string& n) { return n.find("Validation-selected (per set) / c") == 0; }),
            one.notes.end());

  MethodResults three;
  std::vector<size_t> rows_elsewhere(3, 0);
  p2l::testing::on_thread_world(3, [&](World& w, int rank) {
    const EvalInputs in = inputs(rank == 0);
    MethodResults res;
    std::string bytes;
    if (rank == 0) {
      TestPlan plan = plan_methods(grid, in, res);
      plan_selected(sel, in, plan, res);
      bytes = encode_plan(plan);
    }
    w.broadcast(bytes, 0);
    score_test_splits(decode_plan(bytes), in, w, res);
    if (rank == 0) three = res;
    else rows_elsewhere[size_t(rank)] = res.volumes.size() + res.summary.size();
  });
  expect_same(one, three);
  // And each row holds what measure_volume measured on that rank, every number of it (the
  // one-process result travels through the same bytes).
  const Method& first = grid.methods.front();
  int with_distance = 0;  // rows whose HD95 is not 0, so a dropped number shows
  for (const auto& r : three.volumes) {
    if (r.method_id != first.id() || r.rule_id != "best_dice_per_volume" || r.set != "a") continue;
    const auto s = all.test.at("a").get(std::stoul(r.id.substr(1)) - 1);
    ASSERT_EQ(s->id, r.id);
    const MeasuredVolume mv = measure_volume(*s, patch2loc_map(*s, first, 0), {RuleThreshold::per_volume()}, "a", false);
    const VolumeRow& want = *mv.rows.at(0);
    for (double VolumeRow::*f : {&VolumeRow::threshold, &VolumeRow::auroc, &VolumeRow::auprc, &VolumeRow::dice,
                                 &VolumeRow::precision, &VolumeRow::recall, &VolumeRow::fpr, &VolumeRow::specificity,
                                 &VolumeRow::hd95, &VolumeRow::hd_max, &VolumeRow::gt_ml, &VolumeRow::pred_ml})
      EXPECT_TRUE(same(want.*f, r.*f)) << r.id << ": " << want.*f << " vs " << r.*f;
    with_distance += want.hd95 > 0;
  }
  EXPECT_GE(with_distance, 1);
  EXPECT_EQ(rows_elsewhere, (std::vector<size_t>{0, 0, 0}));  // only rank 0 assembles results
}

// A plan survives its bytes exactly (fusion statistics with the healthy values included), and
// bytes that are not a whole plan are refused.
TEST(ScoringRanks, PlanBytesRoundTripAndTruncatedBytesAreRefused) {
  MethodResults res;
  const TestPlan plan = plan_methods(methods(), inputs(true), res);
  const std::string bytes = encode_plan(plan);
  EXPECT_EQ(encode_plan(decode_plan(bytes)), bytes);
  const TestPlan back = decode_plan(bytes);
  ASSERT_EQ(back.entries.size(), plan.entries.size());
  bool fisher = false;
  for (const auto& e : back.entries)
    for (const auto& g : e.groups)
      if (g && g->source_stats.sorted) {
        fisher = true;
        EXPECT_FALSE(g->source_stats.sorted->empty());
      }
  EXPECT_TRUE(fisher);
  EXPECT_THROW(decode_plan(bytes.substr(0, bytes.size() - 3)), std::runtime_error);
  EXPECT_THROW(decode_plan("not a plan"), std::runtime_error);
  EXPECT_THROW(decode_plan(bytes + "x"), std::runtime_error);
}
