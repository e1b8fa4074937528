// The sweep's comparison table from hand-written results_summary.csv files, its CSV round
// trip, and the nightly comparison: what moves beyond the tolerance, in which direction it
// counts as worse, and the archive that keeps the last N nights.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/Csv.hpp"
#include "support/TempDir.hpp"
#include "sweep/NightlyRegression.hpp"
#include "sweep/SweepTable.hpp"
#include "sweep/TableMetrics.hpp"

using namespace p2l;
using p2l::testing::TempDir;

namespace {

std::string read_file_for_test(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Fixture {
  SweepPlan plan;
  SweepStatus status;
  explicit Fixture(const TempDir& d) {
    plan.dir = d / "sweep";
    plan.spec_path = d / "spec.yaml";
    std::ofstream(plan.spec_path) << "grid: {train.lr: [1e-2, 1e-3]}\n";
    plan.keys = {"train.lr"};
    for (int i = 0; i < 2; ++i) {
      SweepPoint pt;
      pt.index = i;
      pt.name = i == 0 ? "lr-1e-2" : "lr-1e-3";
      pt.values = {{"train.lr", i == 0 ? "1e-2" : "1e-3"}};
      pt.dir = plan.dir + "/" + pt.name;
      plan.points.push_back(pt);
    }
    plan.points.shrink_to_fit();
    for (const auto& pt : plan.points) {
      PointStatus ps;
      ps.point = &pt;
      for (const SweepStage s : {SweepStage::kTrain, SweepStage::kEvaluate}) {
        StageStatus st(s);
        st.state = StageState::kDone;
        ps.stages.push_back(st);
      }
      status.points.push_back(ps);
    }
  }
  // results_summary.csv as p2l-evaluate writes it: labels for people, ids for tools.
  // `p2l_label` lets a test reword the display label while the id stays.
  void summary(int point, double dice, double auprc, const std::string& p2l_label = "Patch2Loc both m7") {
    std::filesystem::create_directories(plan.points[point].dir + "/report");
    std::ofstream out(plan.points[point].dir + "/report/results_summary.csv");
    out << "method,threshold_rule,set,metric,mean,std,defined,volumes,slice_auroc,slice_auprc,method_id,threshold_rule_id\n";
    const std::pair<const char*, const char*> rules[] = {{"best Dice per volume (oracle)", "best_dice_per_volume"},
                                                         {"validation Dice", "validation_dice"}};
    for (const auto& [rule, rule_id] : rules) {
      const double d = std::string(rule_id) == "validation_dice" ? dice : dice + 0.1;
      auto row = [&](const std::string& label, const std::string& id, const std::string& rest) {
        out << "\"" << label << "\",\"" << rule << "\"," << rest << ",\"" << id << "\",\"" << rule_id << "\"\n";
      };
      const std::string p2l = "patch2loc/both/m7";
      row(p2l_label, p2l, "tumor,dice," + std::to_string(d) + ",0.1,2,2,nan,nan");
      row(p2l_label, p2l, "tumor,auprc," + std::to_string(auprc) + ",0.1,2,2,nan,nan");
      row(p2l_label, p2l, "tumor,gt_ml,12.5,1,2,2,nan,nan");
      row(p2l_label, p2l, "IXI_test,dice,1,0,2,2,nan,nan");
      row(p2l_label, p2l, "IXI_test,auprc,nan,nan,0,2,nan,nan");
      row(p2l_label, p2l, "IXI_test,gt_ml,0,0,2,2,nan,nan");
      row("z-score", "zscore", "tumor,dice,0.5,0.1,2,2,nan,nan");
      row("z-score", "zscore", "tumor,auprc,0.4,0.1,2,2,nan,nan");
      row("z-score", "zscore", "tumor,gt_ml,12.5,1,2,2,nan,nan");
    }
  }
};

}  // namespace

TEST(SweepTable, OneRowPerPointWithTheKeysAndEachSetsMetrics) {
  TempDir d("sweep_table");
  Fixture f(d);
  f.summary(0, 0.6, 0.55);
  f.status.points[1].stages[0].state = StageState::kFailed, f.status.points[1].stages[0].detail = "exit 1";
  const SweepTable t = build_sweep_table(f.plan, f.status);
  // The healthy set has no lesions: no Dice or AUPRC columns for it.
  EXPECT_EQ(t.columns, (std::vector<std::string>{"tumor dice", "tumor auprc"}));
  ASSERT_EQ(t.rows.size(), 2u);  // the first method only, by default
  EXPECT_EQ(t.rows[0].method, "patch2loc/both/m7");
  EXPECT_EQ(t.rows[0].values, (std::vector<std::string>{"1e-2"}));
  EXPECT_DOUBLE_EQ(t.rows[0].metrics.at("tumor dice"), 0.6);  // at validation Dice, not the oracle's 0.7
  EXPECT_DOUBLE_EQ(t.rows[0].metrics.at("tumor auprc"), 0.55);
  EXPECT_EQ(t.rows[1].state, "failed (train: exit 1)");
  EXPECT_TRUE(t.rows[1].metrics.empty());
  const std::string md = sweep_table_markdown(t);
  EXPECT_NE(md.find("### Patch2Loc both m7 (`patch2loc/both/m7`), Dice at `validation_dice`"), std::string::npos) << md;
  EXPECT_NE(md.find("| point | `train.lr` | state | tumor Dice | tumor AUPRC |"), std::string::npos) << md;
  EXPECT_NE(md.find("| lr-1e-2 | 1e-2 | done | 0.600 | 0.550 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| lr-1e-3 | 1e-3 | failed (train: exit 1) | - | - |"), std::string::npos) << md;
}

TEST(SweepTable, ChosenMethodsGetATableEachAndTheCsvRoundTrips) {
  TempDir d("sweep_table");
  Fixture f(d);
  f.summary(0, 0.6, 0.55);
  f.summary(1, 0.3, 0.25);
  f.plan.report.methods = {"zscore", "patch2loc/both/m7"};
  const SweepTable t = build_sweep_table(f.plan, f.status);
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0].method, "zscore");
  EXPECT_DOUBLE_EQ(t.rows[3].metrics.at("tumor dice"), 0.3);
  write_sweep_report(f.plan, t, f.status, "test");
  const SweepTable back = read_sweep_table_csv(f.plan.dir + "/report/sweep_table.csv");
  EXPECT_EQ(back.keys, t.keys);
  EXPECT_EQ(back.columns, t.columns);
  ASSERT_EQ(back.rows.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(back.rows[i].point, t.rows[i].point);
    EXPECT_EQ(back.rows[i].method, t.rows[i].method);
    EXPECT_EQ(back.rows[i].state, "done");
    EXPECT_EQ(back.rows[i].metrics, t.rows[i].metrics);
  }
  EXPECT_TRUE(std::filesystem::exists(f.plan.dir + "/report/index.html"));
}

TEST(SweepTable, AMissingRuleMakesThatPointFailedNotTheTable) {
  TempDir d("sweep_table");
  Fixture f(d);
  f.summary(0, 0.6, 0.55);
  f.summary(1, 0.3, 0.25);
  f.plan.report.threshold_rule = "healthy_quantile=98";
  const SweepTable t = build_sweep_table(f.plan, f.status);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_NE(t.rows[0].state.find("no rows for 'patch2loc/both/m7' at 'healthy_quantile=98'"), std::string::npos);
}

TEST(SweepTable, RowsAreFoundByIdSoARewordedLabelChangesNothing) {
  TempDir d("sweep_table");
  Fixture f(d);
  f.summary(0, 0.6, 0.55, "Patch2Loc (both components, median 7)");
  f.summary(1, 0.3, 0.25);
  f.plan.report.methods = {"patch2loc/both/m7"};
  const SweepTable t = build_sweep_table(f.plan, f.status);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].state, "done");
  EXPECT_DOUBLE_EQ(t.rows[0].metrics.at("tumor dice"), 0.6);
  EXPECT_DOUBLE_EQ(t.rows[1].metrics.at("tumor dice"), 0.3);
}

TEST(SweepTable, TheFalsePositiveRateGetsAColumnForSetsWithoutLesionsToo) {
  TempDir d("sweep_table");
  Fixture f(d);
  f.summary(0, 0.6, 0.55);
  f.plan.report.metrics = {SummaryMetric::kDice, SummaryMetric::kFpr};
  const SweepTable t = build_sweep_table(f.plan, f.status);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"tumor dice", "tumor fpr", "IXI_test fpr"}));
  EXPECT_NE(sweep_table_markdown(t).find("| tumor Dice | tumor FPR | IXI_test FPR |"), std::string::npos);
}

namespace {

// The fused evaluation's results_summary.csv (DIR/fused/report/): the reference scale, another
// scale alone, two multi-scale rules and a fusion pair of one, at validation Dice.
void fused_summary(const SweepPlan& plan, double fisher_dice) {
  std::filesystem::create_directories(plan.fused_dir() + "/report");
  std::ofstream out(plan.fused_dir() + "/report/results_summary.csv");
  out << "method,threshold_rule,set,metric,mean,std,defined,volumes,slice_auroc,slice_auprc,method_id,threshold_rule_id\n";
  const std::pair<const char*, const char*> methods[] = {{"Patch2Loc both m7", "patch2loc/both/m7"},
                                                         {"Patch2Loc@0.0625", "patch2loc@0.0625"},
                                                         {"Patch2Loc multi-scale mean_z", "multiscale_mean_z"},
                                                         {"Patch2Loc multi-scale fisher", "multiscale_fisher"},
                                                         {"fisher x z-score", "multiscale_fisher*zscore:fisher"}};
  double dice = 0.5;
  for (const auto& [label, id] : methods) {
    const double d = std::string(id) == "multiscale_fisher" ? fisher_dice : (dice += 0.01);
    for (const std::string& rest : std::vector<std::string>{"tumor,dice," + std::to_string(d), "tumor,auprc,0.45",
                                                             "tumor,gt_ml,12.5"})
      out << "\"" << label << "\",\"validation Dice\"," << rest << ",0.1,2,2,nan,nan,\"" << id << "\",\"validation_dice\"\n";
  }
}

}  // namespace

TEST(SweepTable, TheFusedEvaluationAddsItsMultiScaleRows) {
  TempDir d("sweep_table");
  Fixture f(d);
  f.summary(0, 0.6, 0.55);
  f.summary(1, 0.3, 0.25);
  f.plan.fuse.enabled = true;
  f.plan.fuse.reference = "lr-1e-2";
  f.plan.fuse.methods = {"multiscale_mean_z", "multiscale_mean_voxel_z", "multiscale_max_z", "multiscale_fisher"};
  f.status.fuse.state = StageState::kDone;
  fused_summary(f.plan, 0.7);
  const SweepTable t = build_sweep_table(f.plan, f.status);
  // The points' rows, then one per multi-scale method the fused summary has (not a scale alone,
  // not a fusion pair).
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[1].point, "lr-1e-3");
  for (size_t i : {2, 3}) {
    EXPECT_EQ(t.rows[i].point, "fused");
    EXPECT_EQ(t.rows[i].values, (std::vector<std::string>{"1e-2+1e-3"}));  // every point is in it
    EXPECT_EQ(t.rows[i].rule, "validation_dice");
    EXPECT_EQ(t.rows[i].state, "done");
  }
  EXPECT_EQ(t.rows[2].method, "multiscale_mean_z");
  EXPECT_EQ(t.rows[3].method, "multiscale_fisher");
  EXPECT_DOUBLE_EQ(t.rows[3].metrics.at("tumor dice"), 0.7);
  EXPECT_DOUBLE_EQ(t.rows[3].metrics.at("tumor auprc"), 0.45);
  const std::string md = sweep_table_markdown(t);
  EXPECT_NE(md.find("### Fused scales (`fused`: every point's checkpoint in one multi-scale evaluation), Dice at "
                    "`validation_dice`\n\n| point | `train.lr` | state | tumor Dice | tumor AUPRC |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| fused: multiscale_mean_z | 1e-2+1e-3 | done | 0.530 | 0.450 |\n"
                    "| fused: multiscale_fisher | 1e-2+1e-3 | done | 0.700 | 0.450 |\n"),
            std::string::npos) << md;
  // The CSV keeps the fused evaluation as the point and the method id apart, so the nightly
  // comparison keys the rows as any other; a worse fused Dice is a regression of that row.
  write_sweep_report(f.plan, t, f.status, "test");
  const SweepTable back = read_sweep_table_csv(f.plan.dir + "/report/sweep_table.csv");
  ASSERT_EQ(back.rows.size(), 4u);
  EXPECT_EQ(back.rows[3].point, "fused");
  EXPECT_EQ(back.rows[3].method, "multiscale_fisher");
  EXPECT_EQ(back.rows[3].metrics, t.rows[3].metrics);
  EXPECT_TRUE(compare_sweep_tables(back, t, 0.01).changes.empty());
  fused_summary(f.plan, 0.5);
  const Regression r = compare_sweep_tables(back, build_sweep_table(f.plan, f.status), 0.01);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].point, "fused");
  EXPECT_EQ(r.changes[0].method, "multiscale_fisher");
  EXPECT_EQ(r.changes[0].column, "tumor dice");
  EXPECT_TRUE(r.changes[0].worse);
  const std::string html = read_file_for_test(f.plan.dir + "/report/index.html");
  EXPECT_NE(html.find("fused: multiscale_fisher"), std::string::npos);
}

TEST(SweepTable, AFusedEvaluationNotDoneIsARowPerRuleWithItsState) {
  TempDir d("sweep_table");
  Fixture f(d);
  f.summary(0, 0.6, 0.55);
  f.summary(1, 0.3, 0.25);
  f.plan.fuse.enabled = true;
  f.plan.fuse.methods = {"multiscale_mean_z", "multiscale_fisher"};
  f.status.fuse.state = StageState::kDone;
  fused_summary(f.plan, 0.7);
  const SweepTable done = build_sweep_table(f.plan, f.status);
  // Failed: the rows the fused config names, with the stage's state; for the nightly comparison
  // a fused row that was done and is not.
  f.status.fuse.state = StageState::kFailed, f.status.fuse.detail = "exit 1";
  const SweepTable failed = build_sweep_table(f.plan, f.status);
  ASSERT_EQ(failed.rows.size(), 4u);
  EXPECT_EQ(failed.rows[2].method, "multiscale_mean_z");
  EXPECT_EQ(failed.rows[3].state, "failed (fuse: exit 1)");
  EXPECT_TRUE(failed.rows[3].metrics.empty());
  const Regression r = compare_sweep_tables(done, failed, 0.01);
  EXPECT_EQ(r.worse(), 2u);
  // Off: no fused rows, whatever is in the folder.
  f.plan.fuse.enabled = false;
  EXPECT_EQ(build_sweep_table(f.plan, f.status).rows.size(), 2u);
}

namespace {

SweepTable table(double dice0, double fpr0, const std::string& state1) {
  SweepTable t;
  t.keys = {"train.lr"};
  t.columns = {"tumor dice", "IXI_test fpr"};
  t.rows.push_back({"lr-1e-2", "P2L", "validation_dice", "done", {"1e-2"}, {{"tumor dice", dice0}, {"IXI_test fpr", fpr0}}});
  SweepTableRow r1{"lr-1e-3", "P2L", "validation_dice", state1, {"1e-3"}, {}};
  if (state1 == "done") r1.metrics = {{"tumor dice", 0.4}, {"IXI_test fpr", 0.02}};
  t.rows.push_back(r1);
  return t;
}

}  // namespace

TEST(NightlyRegression, OnlyChangesBeyondTheToleranceAndTheirDirection) {
  const SweepTable before = table(0.60, 0.020, "done");
  EXPECT_TRUE(compare_sweep_tables(before, table(0.605, 0.024, "done"), 0.01).changes.empty());
  const Regression worse = compare_sweep_tables(before, table(0.55, 0.020, "done"), 0.01);
  ASSERT_EQ(worse.changes.size(), 1u);
  EXPECT_EQ(worse.changes[0].point, "lr-1e-2");
  EXPECT_EQ(worse.changes[0].column, "tumor dice");
  EXPECT_DOUBLE_EQ(worse.changes[0].before, 0.60);
  EXPECT_DOUBLE_EQ(worse.changes[0].after, 0.55);
  EXPECT_EQ(worse.worse(), 1u);
  // Better Dice and a higher false-positive rate: listed both ways, only the FPR is worse.
  const Regression mixed = compare_sweep_tables(before, table(0.70, 0.050, "done"), 0.01);
  ASSERT_EQ(mixed.changes.size(), 2u);
  EXPECT_EQ(mixed.worse(), 1u);
  for (const auto& c : mixed.changes) EXPECT_EQ(c.worse, c.column == "IXI_test fpr");
  // A point that was done and now failed is a regression; the reverse is not.
  const Regression failed = compare_sweep_tables(before, table(0.60, 0.020, "failed (train: exit 1)"), 0.01);
  ASSERT_EQ(failed.changes.size(), 1u);
  EXPECT_TRUE(failed.changes[0].worse);
  EXPECT_EQ(failed.changes[0].column, "");
  EXPECT_EQ(compare_sweep_tables(table(0.6, 0.02, "failed (train: exit 1)"), before, 0.01).worse(), 0u);
}

// Which way each metric of the table counts as worse; a metric the table does not know counts as
// higher-is-better.
TEST(NightlyRegression, EachMetricsDirectionDecidesWhatIsWorse) {
  struct Case {
    const char* metric;
    bool worse_when_up, worse_when_down;
  };
  const Case cases[] = {{"dice", false, true},     {"auprc", false, true},   {"auroc", false, true},
                        {"precision", false, true}, {"recall", false, true},  {"specificity", false, true},
                        {"fpr", true, false},       {"hd95", true, false},    {"hd_max", true, false},
                        {"gt_ml", false, false},    {"pred_ml", false, false}, {"threshold", false, false},
                        {"made_up", false, true}};
  EXPECT_EQ(summary_metrics().ids().size(), std::size(cases) - 1);  // every metric of the table
  for (const Case& c : cases) {
    const std::string column = std::string("tumor ") + c.metric;
    auto one = [&](double v) {
      SweepTable t;
      t.columns = {column};
      t.rows.push_back({"lr-1e-2", "P2L", "validation_dice", "done", {}, {{column, v}}, "P2L"});
      return t;
    };
    const Regression up = compare_sweep_tables(one(0.5), one(1.0), 0.01);
    ASSERT_EQ(up.changes.size(), 1u) << c.metric;
    EXPECT_EQ(up.changes[0].worse, c.worse_when_up) << c.metric;
    const Regression down = compare_sweep_tables(one(1.0), one(0.5), 0.01);
    ASSERT_EQ(down.changes.size(), 1u) << c.metric;
    EXPECT_EQ(down.changes[0].worse, c.worse_when_down) << c.metric;
  }
}

TEST(NightlyRegression, ArchivesKeepTheLastNAndTheReportNamesBothCommits) {
  TempDir d("sweep_nightly");
  SweepPlan plan;
  plan.dir = d / "sweep";
  plan.nightly.keep = 2;
  const SweepTable t = table(0.6, 0.02, "done");
  archive_nightly_table(plan, t, "aaa111");
  archive_nightly_table(plan, t, "bbb222");
  const NightlyArchive last = archive_nightly_table(plan, table(0.5, 0.02, "done"), "ccc333");
  const auto kept = list_nightly_archives(plan);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].commit, "bbb222");
  EXPECT_EQ(kept[1].commit, "ccc333");
  EXPECT_EQ(kept[1].dir, last.dir);
  const Regression r = compare_sweep_tables(read_sweep_table_csv(kept[0].dir + "/table.csv"),
                                            read_sweep_table_csv(kept[1].dir + "/table.csv"), 0.01);
  const std::string md = regression_markdown(r, kept[0], kept[1], 0.01);
  EXPECT_NE(md.find("**1 regression**"), std::string::npos) << md;
  EXPECT_NE(md.find("| lr-1e-2 | P2L | tumor dice | 0.6000 | 0.5000 | -0.1000 | **worse** |"), std::string::npos) << md;
  EXPECT_NE(md.find("previous (bbb222)"), std::string::npos);
  EXPECT_NE(md.find("now (ccc333)"), std::string::npos);
}

TEST(Csv, QuotedFieldsWithCommasAndQuotes) {
  EXPECT_EQ(split_csv_line("a,\"b, c\",\"say \"\"hi\"\"\",,d"),
            (std::vector<std::string>{"a", "b, c", "say \"hi\"", "", "d"}));
  EXPECT_EQ(split_csv_line(csv_quote("x,\"y\"")), (std::vector<std::string>{"x,\"y\""}));
}
