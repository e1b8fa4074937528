#include <gtest/gtest.h>

#include "config/EvalConfig.hpp"
#include "scoring/MethodSelection.hpp"
#include "scoring/ResultTables.hpp"
#include "scoring/MethodScoring.hpp"

using namespace p2l;

namespace {

Geometry grid() {
  Geometry g;
  g.size = {4, 4, 2};
  return g;
}

// A 4x4x2 brain; the lesion is the first 4 voxels. Set "a" shows it in the error component
// (10 against 1), set "b" in the variance component (5 against 0); the other component is flat.
EvalSubject subject(const std::string& id, const std::string& shows) {
  EvalSubject s;
  s.id = id, s.label = 1;
  s.mask = LabelVolume(grid(), 1);
  s.seg = LabelVolume(grid(), 0);
  s.raw = {FloatVolume(grid(), 1.0f), FloatVolume(grid(), 0.0f)};
  for (int i = 0; i < 4; ++i) {
    s.seg.data[i] = 1;
    if (shows == "error") s.raw.error.data[i] = 10;
    if (shows == "variance") s.raw.variance.data[i] = 5;
  }
  return s;
}

EvalInputs inputs() {
  EvalInputs in;
  in.sets = {"a", "b"};
  in.val["a"] = {subject("av", "error")};
  in.val["b"] = {subject("bv", "variance")};
  in.test["a"] = {subject("a1", "error"), subject("a2", "error")};
  in.test["b"] = {subject("b1", "variance")};
  EvalSubject h = subject("h", "none");
  h.seg = LabelVolume();
  h.label = 0;
  in.healthy_reference = {h};
  in.healthy_test = {h};
  return in;
}

Method patch2loc_method(ScoreComponent score) {
  return {score, 1, FusionMode::kNone, 0.5, source_name(BuiltInSource::kPatch2Loc), ""};
}

// The search order: variance first, so choosing error for "a" is not the first candidate.
std::vector<Method> candidates() {
  return {patch2loc_method(ScoreComponent::kVariance), patch2loc_method(ScoreComponent::kError),
          patch2loc_method(ScoreComponent::kBoth)};
}

const SummaryRow* row(const MethodResults& r, const std::string& setting, const std::string& set) {
  for (const auto& s : r.summary)
    if (s.method == setting && s.set == set) return &s;
  return nullptr;
}

}  // namespace

TEST(ScoringSelection, EachSetChoosesItsBestValidationSettingAndPooledOneForAll) {
  const MethodSelection sel = select_methods(candidates(), inputs(), true, true);
  EXPECT_EQ(sel.candidates, 3u);
  ASSERT_EQ(sel.per_set.size(), 2u);
  // a: variance is flat (best Dice: the whole brain, 2 * 4 / (4 + 32)); error and both separate
  // perfectly, and the tie keeps the earlier candidate, error.
  EXPECT_EQ(sel.per_set.at("a").method.label(), "Patch2Loc error m1");
  EXPECT_DOUBLE_EQ(sel.per_set.at("a").val_dice, 1.0);
  EXPECT_EQ(sel.per_set.at("a").val_volumes, 1u);
  // The threshold is that setting's validation-Dice threshold: the highest value that still
  // keeps the lesion (10), i.e. the background value 1.
  EXPECT_NEAR(sel.per_set.at("a").threshold, 1.0, 1e-6);
  EXPECT_EQ(sel.per_set.at("b").method.label(), "Patch2Loc variance m1");
  EXPECT_DOUBLE_EQ(sel.per_set.at("b").val_dice, 1.0);
  // Pooled: error misses b and variance misses a; both (error + variance: lesion 10 or 6,
  // background 1) separates both sets with one threshold.
  ASSERT_TRUE(sel.pooled);
  EXPECT_EQ(sel.pooled->method.label(), "Patch2Loc both m1");
  EXPECT_DOUBLE_EQ(sel.pooled->val_dice, 1.0);
  EXPECT_EQ(sel.pooled->val_volumes, 2u);
  EXPECT_NEAR(sel.pooled->threshold, 1.0, 1e-6);
  // Only what was asked for.
  EXPECT_TRUE(select_methods(candidates(), inputs(), true, false).pooled == std::nullopt);
  EXPECT_TRUE(select_methods(candidates(), inputs(), false, true).per_set.empty());
}

TEST(ScoringSelection, TestMapsCannotChangeAChoice) {
  const MethodSelection before = select_methods(candidates(), inputs(), true, true);
  // Every test volume of a now shows its lesion in the variance component only, and b's test
  // volume is flat: a choice made on the test data would change.
  EvalInputs changed = inputs();
  changed.test["a"] = {subject("a1", "variance"), subject("a2", "variance")};
  changed.test["b"] = {subject("b1", "none")};
  changed.healthy_test = {subject("ht", "error")};
  EvalInputs without = inputs();
  without.test.clear();
  without.healthy_test = {};
  for (const EvalInputs* in : {&changed, &without}) {
    const MethodSelection after = select_methods(candidates(), *in, true, true);
    for (const auto& set : {"a", "b"}) {
      EXPECT_EQ(after.per_set.at(set).method.label(), before.per_set.at(set).method.label());
      EXPECT_EQ(after.per_set.at(set).threshold, before.per_set.at(set).threshold);
      EXPECT_EQ(after.per_set.at(set).val_dice, before.per_set.at(set).val_dice);
    }
    EXPECT_EQ(after.pooled->method.label(), before.pooled->method.label());
    EXPECT_EQ(after.pooled->threshold, before.pooled->threshold);
  }
  // The validation data does change it: a's validation volume shows the lesion in variance.
  EvalInputs val = inputs();
  val.val["a"] = {subject("av", "variance")};
  EXPECT_EQ(select_methods(candidates(), val, true, true).per_set.at("a").method.label(), "Patch2Loc variance m1");
}

TEST(ScoringSelection, SelectedRowsScoreTheTestSplitsWithTheChosenSettingAndThreshold) {
  const EvalInputs in = inputs();
  const MethodSelection sel = select_methods(candidates(), in, true, true);
  MethodResults res;
  score_selected(sel, in, res);
  ASSERT_EQ(res.rows.size(), 2u);
  EXPECT_EQ(res.rows[0], std::make_pair(std::string(kSelectedPerSet), std::string("validation Dice")));
  EXPECT_EQ(res.rows[1], std::make_pair(std::string(kSelectedPooled), std::string("validation Dice")));
  // Per set: a with error m1, b with variance m1, each at its own validation threshold; equal
  // to those settings' validation-Dice rows of the ordinary scoring.
  MethodGrid spec;
  spec.methods = {patch2loc_method(ScoreComponent::kError), patch2loc_method(ScoreComponent::kVariance)};
  spec.rules = {{ThresholdRuleKind::kValidationDice, 0}};
  const MethodResults plain = score_methods(spec, in);
  const SummaryRow* sa = row(res, kSelectedPerSet, "a");
  const SummaryRow* sb = row(res, kSelectedPerSet, "b");
  ASSERT_TRUE(sa && sb);
  EXPECT_DOUBLE_EQ(sa->metrics.at("dice").mean, row(plain, "Patch2Loc error m1", "a")->metrics.at("dice").mean);
  EXPECT_DOUBLE_EQ(sb->metrics.at("dice").mean, row(plain, "Patch2Loc variance m1", "b")->metrics.at("dice").mean);
  EXPECT_DOUBLE_EQ(sa->metrics.at("dice").mean, 1.0);
  EXPECT_DOUBLE_EQ(sb->metrics.at("auprc").mean, 1.0);
  EXPECT_EQ(sa->metrics.at("dice").total, 2u);
  // Per-set choices have no single healthy threshold: no healthy row. The pooled one does.
  EXPECT_EQ(row(res, kSelectedPerSet, "healthy"), nullptr);
  const SummaryRow* ph = row(res, kSelectedPooled, "healthy");
  ASSERT_TRUE(ph);
  EXPECT_DOUBLE_EQ(ph->metrics.at("fpr").mean, 0.0);  // flat healthy map at the threshold 1: nothing above
  const MarkdownTable t = benchmark_table(res, in.sets, "healthy");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], kSelectedPerSet);
  EXPECT_EQ(t.rows[0][2], "1.000 ± 0.000");
  EXPECT_EQ(t.rows[0][4], "1.000 ± 0.000");
  EXPECT_EQ(t.rows[0][6], "-");
  EXPECT_EQ(t.rows[1][6], "0.0000 ± 0.0000");
  const auto lines = selection_lines(sel, in.sets);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("selected for a: Patch2Loc error m1 (validation Dice 1.000 on 1 volume(s)", 0), 0u) << lines[0];
  EXPECT_EQ(lines[2].rfind("selected for all sets pooled: Patch2Loc both m1", 0), 0u) << lines[2];
}

TEST(ScoringSelection, SearchSpaceComesFromTheConfig) {
  EvalConfig c;
  c.sources = {"patch2loc", "zscore"};
  c.fusion_pairs = {"patch2loc*zscore"};
  c.select_scores = {ScoreComponent::kError, ScoreComponent::kBoth};
  c.select_median_sizes = {5, 7};
  c.select_fusion_modes = {FusionMode::kFisher, FusionMode::kWeighted};
  c.select_weights = {0.25, 0.75};
  const auto m = selection_candidates(c);
  // Patch2Loc alone: 2 scores x 2 sizes; z-score alone; the pair: fisher (4) + weighted x 2 (8).
  ASSERT_EQ(m.size(), 4u + 1u + 4u + 8u);
  EXPECT_EQ(m[0].label(), "Patch2Loc error m5");
  EXPECT_EQ(m[3].label(), "Patch2Loc both m7");
  EXPECT_EQ(m[4].label(), "z-score");
  EXPECT_EQ(m[5].label(), "Patch2Loc error m5 x z-score (fisher)");
  EXPECT_EQ(m[9].label(), "Patch2Loc error m5 x z-score (weighted w=0.25)");
  EXPECT_EQ(m.back().label(), "Patch2Loc both m7 x z-score (weighted w=0.75)");
  c.select_sources = {"zscore"};
  c.select_fusion_pairs = {"zscore*patch2loc"};
  c.select_fusion_modes = {FusionMode::kMax};
  EXPECT_EQ(selection_candidates(c).size(), 1u + 4u);
  c.select_median_sizes = {4};
  EXPECT_THROW(selection_candidates(c), std::runtime_error);
}
