// The run folder's paths are a contract with users, scripts (scripts/run_demo.sh,
// tests/scripts/*.sh) and docs/ARCHITECTURE.md's "Run folder" table: every one, exactly. Also
// the run's one thread-count rule (config/CpuThreads).
#include <gtest/gtest.h>

#include "config/Config.hpp"
#include "config/CpuThreads.hpp"
#include "config/RunLayout.hpp"

using p2l::Config;
using p2l::RunLayout;

TEST(RunLayout, TrainingPaths) {
  const RunLayout run("runs/x");
  EXPECT_EQ(run.root(), "runs/x");
  EXPECT_EQ(run.checkpoint_dir(), "runs/x/checkpoints");
  EXPECT_EQ(run.checkpoint("step_100"), "runs/x/checkpoints/step_100.pt");
  EXPECT_EQ(run.best_checkpoint(), "runs/x/checkpoints/best.pt");
  EXPECT_EQ(run.last_checkpoint(), "runs/x/checkpoints/last.pt");
  EXPECT_EQ(run.train_log_jsonl(), "runs/x/train_log.jsonl");
  EXPECT_EQ(run.train_log(), "runs/x/train.log");
  EXPECT_EQ(run.train_config(), "runs/x/train_config.yaml");
  EXPECT_EQ(run.training_density_csv(), "runs/x/training_density.csv");
}

TEST(RunLayout, TheAutoencoderHasTheSameNamesUnderItsSubfolder) {
  const RunLayout ae = RunLayout("runs/x").ae();
  EXPECT_EQ(ae.root(), "runs/x/ae");
  EXPECT_EQ(ae.best_checkpoint(), "runs/x/ae/checkpoints/best.pt");
  EXPECT_EQ(ae.last_checkpoint(), "runs/x/ae/checkpoints/last.pt");
  EXPECT_EQ(ae.checkpoint_dir(), "runs/x/ae/checkpoints");
  EXPECT_EQ(ae.train_log_jsonl(), "runs/x/ae/train_log.jsonl");
  EXPECT_EQ(ae.train_log(), "runs/x/ae/train.log");
  EXPECT_EQ(ae.train_config(), "runs/x/ae/train_config.yaml");
  // A sweep's shared autoencoder: ae.output_subdir relative to the point's folder, joined as text.
  EXPECT_EQ(RunLayout("/s/p0", "../shared/ae").ae().best_checkpoint(), "/s/p0/../shared/ae/checkpoints/best.pt");
}

TEST(RunLayout, EvaluationPaths) {
  const RunLayout run("/abs/run");
  EXPECT_EQ(run.heatmaps_dir(), "/abs/run/heatmaps");
  EXPECT_EQ(run.heatmap_dir("tumor_test"), "/abs/run/heatmaps/tumor_test");
  EXPECT_EQ(run.raw_heatmap_dir("tumor_test"), "/abs/run/heatmaps/tumor_test/raw");
  EXPECT_EQ(run.maps_dir(), "/abs/run/maps");
  EXPECT_EQ(run.map_dir("zscore"), "/abs/run/maps/zscore");
  EXPECT_EQ(run.map_dir("ae"), "/abs/run/maps/ae");
  EXPECT_EQ(run.report_dir(), "/abs/run/report");
  EXPECT_EQ(run.report_md(), "/abs/run/report/report.md");
  EXPECT_EQ(run.report_html(), "/abs/run/report/index.html");
  EXPECT_EQ(run.table_md(), "/abs/run/report/table.md");
  EXPECT_EQ(run.selection_csv(), "/abs/run/report/selection.csv");
  EXPECT_EQ(run.results_per_volume_csv(), "/abs/run/report/results_per_volume.csv");
  EXPECT_EQ(run.results_summary_csv(), "/abs/run/report/results_summary.csv");
  EXPECT_EQ(run.evaluate_config(), "/abs/run/report/evaluate_config.yaml");
  EXPECT_EQ(run.figures_dir(), "/abs/run/report/figures");
  EXPECT_EQ(run.figure("kde_error_variance.png"), "/abs/run/report/figures/kde_error_variance.png");
  EXPECT_EQ(run.volume_figures_dir(), "/abs/run/report/figures/volumes");
}

TEST(RunLayout, LinksInsideTheReportAreRelativeToIt) {
  const RunLayout run("r");
  EXPECT_EQ(run.in_report(run.figure("box_dice.png")), "figures/box_dice.png");
  EXPECT_EQ(run.in_report(run.volume_figures_dir() + "/a.png"), "figures/volumes/a.png");
  EXPECT_EQ(run.in_report("elsewhere/a.png"), "elsewhere/a.png");
  // A sweep's table links each point's page from DIR/report/.
  EXPECT_EQ(RunLayout("../p0").report_html(), "../p0/report/index.html");
}

TEST(RunLayout, FromTheConfig) {
  Config c;
  EXPECT_EQ(RunLayout(c).best_checkpoint(), "runs/default/checkpoints/best.pt");
  EXPECT_EQ(RunLayout(c).ae().best_checkpoint(), "runs/default/ae/checkpoints/best.pt");
  c.apply_override("run.output_dir=/tmp/r");
  c.apply_override("ae.output_subdir=baseline");
  EXPECT_EQ(RunLayout(c).train_log_jsonl(), "/tmp/r/train_log.jsonl");
  EXPECT_EQ(RunLayout(c).ae().train_log_jsonl(), "/tmp/r/baseline/train_log.jsonl");
}

TEST(CpuThreads, RunThreadsOrTheNodesCoresOverItsRanks) {
  EXPECT_EQ(p2l::cpu_threads(3, 4, 16), 3);   // run.threads wins
  EXPECT_EQ(p2l::cpu_threads(0, 4, 16), 4);   // 16 cores, 4 ranks on the node
  EXPECT_EQ(p2l::cpu_threads(0, 3, 16), 5);
  EXPECT_EQ(p2l::cpu_threads(0, 32, 16), 1);  // at least one
  EXPECT_EQ(p2l::cpu_threads(0, 1, 0), 1);    // unknown core count
  EXPECT_EQ(p2l::cpu_threads(0, 0, 8), 8);    // no rank count: one rank
  EXPECT_GE(p2l::cpu_threads(0, 1), 1);
}
