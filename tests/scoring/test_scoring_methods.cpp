#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "config/EvalConfig.hpp"
#include "scoring/ResultTables.hpp"
#include "scoring/MethodScoring.hpp"
#include "io/Csv.hpp"
#include "io/Nifti.hpp"

using namespace p2l;

namespace {

Geometry grid() {
  Geometry g;
  g.size = {4, 4, 2};
  return g;
}

// A 4x4x2 brain (all voxels), lesion = first 4 voxels when `lesion`, error scores given.
EvalSubject subject(const std::string& id, bool lesion, float on, float off) {
  EvalSubject s;
  s.id = id, s.label = lesion;
  s.mask = LabelVolume(grid(), 1);
  s.raw = {FloatVolume(grid(), off), FloatVolume(grid(), 0.0f)};
  if (lesion) {
    s.seg = LabelVolume(grid(), 0);
    for (int i = 0; i < 4; ++i) s.seg.data[i] = 1, s.raw.error.data[i] = on;
  }
  return s;
}

EvalInputs inputs() {
  EvalInputs in;
  in.sets = {"a", "b"};
  in.test["a"] = {subject("a1", true, 10, 1), subject("a2", true, 10, 1)};
  in.val["a"] = {subject("av", true, 10, 1)};
  in.test["b"] = {subject("b1", true, 1, 1)};  // constant heatmap: lesion invisible
  EvalSubject h = subject("h", false, 0, 0);
  for (size_t i = 0; i < 32; ++i) h.raw.error.data[i] = 2.0f * float(i) / 31.0f;  // healthy in [0, 2]
  in.healthy_reference = {h};
  in.healthy_test = {subject("ht", false, 0, 1.5f)};
  return in;
}

MethodGrid spec() {
  EvalConfig c;
  c.score = ScoreComponent::kError;
  c.median_size = 1;
  c.thresholds = {ThresholdRuleKind::kBestDicePerVolume, ThresholdRuleKind::kValidationDice, ThresholdRuleKind::kHealthyQuantile};
  c.healthy_quantile = 98;
  return method_grid_from_config(c);
}

}  // namespace

TEST(ScoringMethods, TableHasOneRowPerMethodAndRule) {
  MethodResults r = score_methods(spec(), inputs());
  MarkdownTable t = benchmark_table(r, {"a", "b"}, "healthy");
  ASSERT_EQ(t.header, (std::vector<std::string>{"Method", "Threshold", "a Dice", "a AUPRC", "b Dice",
                                                "b AUPRC", "healthy FPR"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0][0], "Patch2Loc error m1");
  EXPECT_EQ(t.rows[0][1], "best Dice per volume (oracle)");
  EXPECT_EQ(t.rows[0][2], "1.000 ± 0.000");
  EXPECT_EQ(t.rows[0][3], "1.000 ± 0.000");
  // b: constant scores; the best is predicting the whole brain: 2*4 / (4 + 32).
  EXPECT_EQ(t.rows[0][4], "0.222 ± 0.000");
  EXPECT_EQ(t.rows[0][5], "0.125 ± 0.000");  // AUPRC of a constant map = prevalence
  EXPECT_EQ(t.rows[0][6], "0.0000 ± 0.0000");  // oracle on healthy predicts nothing
  // Validation threshold from a's val split separates perfectly; b has no val split.
  EXPECT_EQ(t.rows[1][1], "validation Dice");
  EXPECT_EQ(t.rows[1][2], "1.000 ± 0.000");
  EXPECT_EQ(t.rows[1][4], "-");
  // q98 of healthy values in [0, 2] is 1.96: a is perfect, b predicts nothing, and the healthy
  // test volume (all 1.5) has no false positive.
  EXPECT_EQ(t.rows[2][1], "healthy q98");
  EXPECT_EQ(t.rows[2][2], "1.000 ± 0.000");
  EXPECT_EQ(t.rows[2][4], "0.000 ± 0.000");
  EXPECT_EQ(t.rows[2][6], "0.0000 ± 0.0000");
  EXPECT_NE(std::find(r.notes.begin(), r.notes.end(),
                      "Patch2Loc error m1 / validation Dice / b: not computed (no diseased validation split b_val)"),
            r.notes.end());
  EXPECT_NE(std::find(r.notes.begin(), r.notes.end(),
                      "Patch2Loc error m1 / validation Dice / healthy: not computed (a healthy set has no validation split)"),
            r.notes.end());
  // Per-volume rows: a 2 volumes x 3 rules; b and the healthy test volume 2 rules each.
  EXPECT_EQ(r.volumes.size(), 2u * 3u + 2u + 2u);
  EXPECT_NE(t.render().find("| Patch2Loc error m1 | healthy q98 | 1.000 ± 0.000 |"), std::string::npos);
}

// The test splits as the evaluation builds them: loaded on demand. Several methods (two of them
// a fusion of Patch2Loc with a second source) score each test volume after one load, and the
// results equal those of the same volumes held in memory, row for row.
TEST(ScoringMethods, LazyTestSplitsAreLoadedOncePerVolumeAndScoreAsHeld) {
  const EvalInputs held = inputs();
  EvalInputs lazy = inputs();
  std::map<std::string, int> loads;
  auto as_lazy = [&](const SubjectList& list) {
    std::vector<std::string> ids;
    std::map<std::string, EvalSubject> store;
    for (size_t i = 0; i < list.size(); ++i) ids.push_back(list.id(i)), store[list.id(i)] = *list.get(i);
    return SubjectList(ids, [&loads, store](const std::string& id) {
      ++loads[id];
      return store.at(id);
    });
  };
  for (auto& [set, list] : lazy.test) list = as_lazy(list);
  lazy.healthy_test = as_lazy(lazy.healthy_test);
  EvalConfig c;
  c.score = ScoreComponent::kError, c.median_size = 3;
  c.thresholds = {ThresholdRuleKind::kBestDicePerVolume, ThresholdRuleKind::kValidationDice, ThresholdRuleKind::kHealthyQuantile};
  c.fusion_pairs = {"patch2loc*patch2loc"};
  c.fusion_modes = {FusionMode::kProduct, FusionMode::kMax};
  const MethodGrid grid = method_grid_from_config(c);
  ASSERT_EQ(grid.methods.size(), 3u);
  const MethodResults a = score_methods(grid, held), b = score_methods(grid, lazy);
  EXPECT_EQ(loads, (std::map<std::string, int>{{"a1", 1}, {"a2", 1}, {"b1", 1}, {"ht", 1}}));
  ASSERT_EQ(a.volumes.size(), b.volumes.size());
  ASSERT_FALSE(a.volumes.empty());
  for (size_t i = 0; i < a.volumes.size(); ++i) {
    EXPECT_EQ(a.volumes[i].method_id, b.volumes[i].method_id) << i;
    EXPECT_EQ(a.volumes[i].rule_id, b.volumes[i].rule_id) << i;
    EXPECT_EQ(a.volumes[i].id, b.volumes[i].id) << i;
    EXPECT_EQ(a.volumes[i].dice, b.volumes[i].dice) << i;
    EXPECT_EQ(a.volumes[i].threshold, b.volumes[i].threshold) << i;
  }
  // Method by method, then set by set, as the table reads.
  EXPECT_EQ(b.volumes.front().method_id, grid.methods.front().id());
  EXPECT_EQ(b.volumes.back().method_id, grid.methods.back().id());
  EXPECT_EQ(b.volumes.back().set, "healthy");
  EXPECT_EQ(benchmark_table(a, {"a", "b"}, "healthy").render(), benchmark_table(b, {"a", "b"}, "healthy").render());
}

TEST(ScoringMethods, MethodGridFileExpandsMethods) {
  const auto path = std::filesystem::temp_directory_path() / ("p2l_methods_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream(path) << "sources: [patch2loc, zscore]\nfusion_pairs: ['patch2loc*zscore']\n"
                           "scores: [error, both]\nmedian_sizes: [1, 3]\nfusion: [none, product, weighted]\n"
                           "weights: [0.25, 0.75]\nthresholds: [healthy_quantile, fpr]\nquantiles: [95, 99]\n"
                           "fpr_targets: [0.05]\n";
  }
  EvalConfig c;
  MethodGrid s = read_method_grid(path.string(), c);
  // Patch2Loc alone: 2 scores x 2 medians; the z-score alone once (Patch2Loc's variants do not
  // multiply it); the pair: 2 x 2 x (product + 2 weights).
  ASSERT_EQ(s.methods.size(), 4u + 1u + 2 * 2 * 3);
  EXPECT_EQ(s.methods[0].label(), "Patch2Loc error m1");
  EXPECT_EQ(s.methods[3].label(), "Patch2Loc both m3");
  EXPECT_EQ(s.methods[4].label(), "z-score");
  EXPECT_EQ(s.methods[5].label(), "Patch2Loc error m1 x z-score (product)");
  EXPECT_EQ(s.methods[9].label(), "Patch2Loc error m1 x z-score (weighted w=0.25)");
  ASSERT_EQ(s.rules.size(), 3u);
  EXPECT_EQ(s.rules[1].label(), "healthy q99");
  EXPECT_EQ(s.rules[2].label(), "healthy FPR 5%");
  // The stable ids that CSVs and p2l-sweep key on.
  EXPECT_EQ(s.methods[0].id(), "patch2loc/error/m1");
  EXPECT_EQ(s.methods[4].id(), "zscore");
  EXPECT_EQ(s.methods[5].id(), "patch2loc/error/m1*zscore:product");
  EXPECT_EQ(s.methods[9].id(), "patch2loc/error/m1*zscore:weighted=0.25");
  EXPECT_EQ(s.rules[1].id(), "healthy_quantile=99");
  EXPECT_EQ(s.rules[2].id(), "fpr=0.05");
  EXPECT_EQ((ThresholdRule{ThresholdRuleKind::kValidationDice, 0}).id(), "validation_dice");
  EXPECT_EQ((ThresholdRule{ThresholdRuleKind::kHealthyQuantile, 97.5}).id(), "healthy_quantile=97.5");
  auto error_for = [&](const std::string& text) {
    { std::ofstream(path) << text; }
    try {
      read_method_grid(path.string(), c);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_for("median_size: [3]\n").find("unknown method grid key 'median_size'"), std::string::npos);
  EXPECT_NE(error_for("fusion_pairs: [patch2loc]\n").find("expected two map sources as a*b"), std::string::npos);
  EXPECT_NE(error_for("fusion: [map]\n").find("unknown value 'map'"), std::string::npos);
  std::filesystem::remove(path);
}

namespace {

// Writes one map per subject into `dir`: 5 on lesion voxels, else the subject's healthy level.
void write_source_maps(const std::filesystem::path& dir, const EvalInputs& in, const std::string& skip = "") {
  std::filesystem::create_directories(dir);
  auto put = [&](const EvalSubject& s) {
    if (s.id == skip) return;
    FloatVolume m(s.mask.geom, 0.0f);
    for (size_t i = 0; i < m.data.size(); ++i)
      m.data[i] = !s.seg.data.empty() && s.seg.data[i] ? 5.0f : 0.5f * float(i % 3);
    write_nifti((dir / (s.id + ".nii.gz")).string(), m);
  };
  auto put_list = [&](const SubjectList& l) {
    for (size_t i = 0; i < l.size(); ++i) put(*l.get(i));
  };
  put_list(in.healthy_reference);
  put_list(in.healthy_test);
  for (const auto& [set, subjects] : in.test) put_list(subjects);
  for (const auto& [set, subjects] : in.val) put_list(subjects);
}

MethodGrid source_spec() {
  EvalConfig c;
  c.score = ScoreComponent::kError;
  c.median_size = 1;
  c.thresholds = {ThresholdRuleKind::kBestDicePerVolume, ThresholdRuleKind::kValidationDice, ThresholdRuleKind::kHealthyQuantile};
  c.sources = {"patch2loc", "ext"};
  c.fusion_pairs = {"patch2loc*ext"};
  c.fusion_modes = {FusionMode::kMax};
  return method_grid_from_config(c);
}

}  // namespace

TEST(ScoringMethods, EveryMapSourceAndFusionGetsRowsOverEverySet) {
  const auto dir = std::filesystem::temp_directory_path() / ("p2l_sources_" + std::to_string(::getpid()));
  EvalInputs in = inputs();
  write_source_maps(dir, in);
  in.source_dirs["ext"] = dir.string();
  MethodResults r = score_methods(source_spec(), in);
  EXPECT_TRUE(r.failed_sources.empty());
  MarkdownTable t = benchmark_table(r, {"a", "b"}, "healthy");
  // One row per (method, rule): Patch2Loc, the source alone, their fusion; 3 rules each.
  ASSERT_EQ(t.rows.size(), 9u);
  EXPECT_EQ(t.rows[0][0], "Patch2Loc error m1");
  EXPECT_EQ(t.rows[3][0], "ext");
  EXPECT_EQ(t.rows[6][0], "Patch2Loc error m1 x ext (max)");
  for (const auto& row : t.rows) EXPECT_EQ(row.size(), 7u);
  // The source's own map is measured: it marks b's lesion, which the Patch2Loc map misses.
  EXPECT_EQ(t.rows[0][4], "0.222 ± 0.000");
  EXPECT_EQ(t.rows[3][2], "1.000 ± 0.000");
  EXPECT_EQ(t.rows[3][4], "1.000 ± 0.000");
  EXPECT_EQ(t.rows[3][5], "1.000 ± 0.000");
  std::filesystem::remove_all(dir);
}

TEST(ScoringMethods, BadMapSourceFolderNamesTheSubjectAndSparesTheOtherRows) {
  const auto dir = std::filesystem::temp_directory_path() / ("p2l_badsrc_" + std::to_string(::getpid()));
  EvalInputs in = inputs();
  write_source_maps(dir, in, "b1");  // b1's map is missing
  in.source_dirs["ext"] = dir.string();
  MethodResults r = score_methods(source_spec(), in);
  EXPECT_EQ(r.failed_sources, std::vector<std::string>{"ext"});
  bool named = false;
  for (const auto& n : r.source_notes) named = named || (n.find("b1.nii.gz") != std::string::npos &&
                                                         n.find("no map for subject 'b1'") != std::string::npos);
  EXPECT_TRUE(named);
  // The report lists every note; the log repeats the map sources' own.
  for (const auto& n : r.source_notes) EXPECT_NE(std::find(r.notes.begin(), r.notes.end(), n), r.notes.end()) << n;
  EXPECT_LT(r.source_notes.size(), r.notes.size());  // rules not computed are noted too
  // Patch2Loc's rows are all there; none of the source's or the fusion's.
  MarkdownTable t = benchmark_table(r, {"a", "b"}, "healthy");
  ASSERT_EQ(t.rows.size(), 3u);
  for (const auto& row : t.rows) EXPECT_EQ(row[0], "Patch2Loc error m1");

  // A map on another grid: the same, naming the subject and the grid.
  write_source_maps(dir, in);
  Geometry other = grid();
  other.size = {4, 4, 3};
  write_nifti((dir / "a2.nii.gz").string(), FloatVolume(other, 0.0f));
  r = score_methods(source_spec(), in);
  EXPECT_EQ(r.failed_sources, std::vector<std::string>{"ext"});
  named = false;
  for (const auto& n : r.notes) named = named || (n.find("a2.nii.gz: map is on neither the preprocessed grid nor the input grid of subject 'a2'") != std::string::npos);
  EXPECT_TRUE(named);
  std::filesystem::remove_all(dir);
}

TEST(ScoringMethods, BuiltInSourcesAreKnownByNameAndOthersAreExternal) {
  EXPECT_EQ(built_in_source("patch2loc"), BuiltInSource::kPatch2Loc);
  EXPECT_EQ(built_in_source("zscore"), BuiltInSource::kZScore);
  EXPECT_EQ(built_in_source("ae"), BuiltInSource::kAutoencoder);
  EXPECT_FALSE(built_in_source("ext").has_value());
  EXPECT_EQ(source_label("zscore"), "z-score");
  EXPECT_EQ(source_label("ae"), "AE");
  EXPECT_EQ(source_label("ext"), "ext");
  EXPECT_TRUE(is_patch2loc(Method{}.source));
  Method zscore;
  zscore.source = "zscore";
  EXPECT_FALSE(zscore.uses_patch2loc());
}

TEST(ScoringMethods, MissingSegmentationIsAClearError) {
  EvalInputs in = inputs();
  EvalSubject a1 = *in.test["a"].get(0), a2 = *in.test["a"].get(1);
  a1.seg = LabelVolume();
  in.test["a"] = {a1, a2};
  try {
    score_methods(spec(), in);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("a1: set 'a' subject has no segmentation"), std::string::npos);
  }
}

TEST(ScoringMethods, CsvFilesHaveOneLinePerRow) {
  MethodResults r = score_methods(spec(), inputs());
  const auto dir = std::filesystem::temp_directory_path() / ("p2l_methodcsv_" + std::to_string(::getpid()));
  write_volume_csv((dir / "v.csv").string(), r, {{"a1", "a1_t1.nii.gz"}});
  write_summary_csv((dir / "s.csv").string(), r);
  std::ifstream in(dir / "v.csv");
  std::string line;
  size_t n = 0, a1 = 0;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("method,threshold_rule,set,id,img_name,label,", 0), 0u) << line;
  const auto header = split_csv_line(line);
  ASSERT_EQ(header.back(), "threshold_rule_id");
  for (n = 1; std::getline(in, line); ++n) {
    const auto f = split_csv_line(line);
    ASSERT_EQ(f.size(), header.size()) << line;
    // The ids beside the labels of the same row.
    const VolumeRow& v = r.volumes[n - 1];
    EXPECT_EQ(f[0], v.method) << line;
    EXPECT_EQ(f[f.size() - 2], v.method_id) << line;
    EXPECT_EQ(f[f.size() - 1], v.rule_id) << line;
    EXPECT_FALSE(v.method_id.empty() || v.rule_id.empty()) << line;
    if (f[3] == "a1") {
      EXPECT_EQ(f[4], "a1_t1.nii.gz") << line;
      ++a1;
    } else {
      EXPECT_EQ(f[4], f[3]) << line;  // no img_name given: the id
    }
  }
  EXPECT_EQ(n, r.volumes.size() + 1);
  EXPECT_GT(a1, 0u);
  std::filesystem::remove_all(dir);
}
