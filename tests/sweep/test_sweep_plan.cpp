// Sweep specs and cluster profiles: grid crossing, point names and resolved configs, and the
// errors a user sees for unknown keys, bad values and keys that cannot be swept.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/ErrorOf.hpp"
#include "support/TempDir.hpp"
#include "sweep/ClusterProfile.hpp"
#include "sweep/SweepPlan.hpp"

using namespace p2l;
using p2l::testing::error_of;
using p2l::testing::TempDir;

namespace {

std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A spec over a small base config, with `body` appended.
std::string spec(const TempDir& d, const std::string& body) {
  write(d / "base.yaml", "train: {steps: 7}\neval: {sources: [patch2loc, zscore]}\n");
  return write(d / "spec.yaml", "dir: " + d.str() + "/sweep\nconfig: " + (d / "base.yaml") + "\n" + body);
}

}  // namespace

TEST(SweepPlan, GridIsCrossedInKeyOrderWithTheLastKeyFastest) {
  TempDir d("sweep_plan");
  const SweepPlan p = load_sweep_plan(spec(d, "grid:\n  train.patch_fraction: [0.0625, 0.125, 0.25]\n  train.lr: [1e-2, 1e-3]\n"));
  ASSERT_EQ(p.points.size(), 6u);
  EXPECT_EQ(p.keys, (std::vector<std::string>{"train.patch_fraction", "train.lr"}));
  EXPECT_EQ(p.points[0].name, "patch_fraction-0.0625_lr-1e-2");
  EXPECT_EQ(p.points[1].name, "patch_fraction-0.0625_lr-1e-3");
  EXPECT_EQ(p.points[5].name, "patch_fraction-0.25_lr-1e-3");
  for (int i = 0; i < 6; ++i) EXPECT_EQ(p.points[i].index, i);
  EXPECT_EQ(p.points[5].dir, d.str() + "/sweep/patch_fraction-0.25_lr-1e-3");
  EXPECT_FALSE(p.points[0].needs_autoencoder);
}

TEST(SweepPlan, ExplicitPointsFollowTheGridAndMayAddKeys) {
  TempDir d("sweep_plan");
  const SweepPlan p = load_sweep_plan(spec(d,
      "grid: {train.lr: [1e-2]}\npoints:\n  - {train.lr: 3e-3, train.beta: 1.0}\n  - {eval.sources: [patch2loc, ae]}\n"));
  ASSERT_EQ(p.points.size(), 3u);
  EXPECT_EQ(p.keys, (std::vector<std::string>{"train.lr", "train.beta", "eval.sources"}));
  EXPECT_EQ(p.points[1].name, "lr-3e-3_beta-1.0");
  EXPECT_EQ(p.points[2].name, "sources-patch2loc_ae");
  EXPECT_TRUE(p.points[2].needs_autoencoder);  // its evaluation reads the autoencoder maps
}

TEST(SweepPlan, WritesEveryPointsResolvedConfigAndThePointsFile) {
  TempDir d("sweep_plan");
  const SweepPlan p = load_sweep_plan(spec(d, "overrides: [train.beta=0.25]\ngrid: {train.lr: [1e-2, 1e-3]}\n"));
  write_sweep_plan(p);
  const std::string cfg = read(p.points[1].dir + "/config.yaml");
  EXPECT_NE(cfg.find("  lr: 0.001  #"), std::string::npos);
  EXPECT_NE(cfg.find("  beta: 0.25  #"), std::string::npos);       // the shared override
  EXPECT_NE(cfg.find("  steps: 7  #"), std::string::npos);         // the base config
  EXPECT_NE(cfg.find("output_dir: \"" + p.points[1].dir + "\""), std::string::npos);
  EXPECT_EQ(read(p.points_file()), "0\t" + p.points[0].dir + "\n1\t" + p.points[1].dir + "\n");
  EXPECT_NE(read(p.preprocess_config()).find("  beta: 0.25  #"), std::string::npos);
}

TEST(SweepPlan, OneAutoencoderForEveryPointUnlessASweptKeyChangesIt) {
  TempDir d("sweep_plan");
  const std::string ae = "overrides: [\"eval.sources=[patch2loc, ae]\"]\n";
  const SweepPlan shared = load_sweep_plan(spec(d, ae + "grid: {train.lr: [1e-2, 1e-3], train.patch_fraction: [0.125]}\n"));
  EXPECT_TRUE(shared.shared_autoencoder);
  // Keys the schema says are Patch2Loc's alone (Schema::Scope) keep one autoencoder.
  EXPECT_TRUE(load_sweep_plan(spec(d, ae + "grid: {train.min_brain_fraction: [0.2, 0.3]}\n")).shared_autoencoder);
  EXPECT_FALSE(load_sweep_plan(spec(d, ae + "grid: {train.precision: [fp32, bf16]}\n")).shared_autoencoder);
  write_sweep_plan(shared);
  EXPECT_NE(read(shared.points[1].dir + "/config.yaml").find("  output_subdir: \"../shared/ae\""), std::string::npos);
  EXPECT_NE(read(shared.shared_dir() + "/config.yaml").find("output_dir: \"" + shared.shared_dir() + "\""),
            std::string::npos);
  EXPECT_FALSE(load_sweep_plan(spec(d, ae + "grid: {ae.lr: [1e-2, 1e-3]}\n")).shared_autoencoder);
  EXPECT_FALSE(load_sweep_plan(spec(d, ae + "grid: {run.seed: [1, 2]}\n")).shared_autoencoder);
  EXPECT_FALSE(load_sweep_plan(spec(d, ae + "autoencoder: per_point\ngrid: {train.lr: [1e-2]}\n")).shared_autoencoder);
  EXPECT_FALSE(load_sweep_plan(spec(d, "grid: {train.lr: [1e-2]}\n")).shared_autoencoder);  // no AE at all
  EXPECT_NE(error_of([&] { load_sweep_plan(spec(d, ae + "autoencoder: shared\ngrid: {ae.steps: [4, 8]}\n")); })
                .find("a swept key changes the autoencoder (ae.steps)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_sweep_plan(spec(d, ae + "autoencoder: once\ngrid: {train.lr: [1e-2]}\n")); })
                .find("autoencoder: unknown value 'once' (expected auto, shared, per_point)"),
            std::string::npos);
}

TEST(SweepPlan, ReportMetricsAreTheTablesMetricIds) {
  TempDir d("sweep_plan");
  const SweepPlan p = load_sweep_plan(spec(d, "grid: {train.lr: [1e-2]}\nreport: {metrics: [dice, hd95, fpr]}\n"));
  EXPECT_EQ(p.report.metrics, (std::vector<SummaryMetric>{SummaryMetric::kDice, SummaryMetric::kHd95, SummaryMetric::kFpr}));
  EXPECT_EQ(load_sweep_plan(spec(d, "grid: {train.lr: [1e-2]}\n")).report.metrics,
            (std::vector<SummaryMetric>{SummaryMetric::kDice, SummaryMetric::kAuprc}));
  const std::string e = error_of([&] { load_sweep_plan(spec(d, "grid: {train.lr: [1e-2]}\nreport: {metrics: [dic]}\n")); });
  EXPECT_NE(e.find("report.metrics: unknown value 'dic' (expected dice, auprc, auroc,"), std::string::npos) << e;
}

TEST(SweepPlan, UnknownKeysAndBadValuesAreErrorsNamingTheKey) {
  TempDir d("sweep_plan");
  EXPECT_NE(error_of([&] { load_sweep_plan(spec(d, "grid: {train.lrr: [1e-2]}\n")); })
                .find("unknown config key 'train.lrr' (did you mean 'train.lr'?)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_sweep_plan(spec(d, "grids: {train.lr: [1e-2]}\n")); })
                .find("unknown key 'grids' (did you mean 'grid'?)"),
            std::string::npos);
  const std::string range = error_of([&] { load_sweep_plan(spec(d, "grid: {train.lr: [1e-2, 70]}\n")); });
  EXPECT_NE(range.find("point lr-70"), std::string::npos) << range;
  EXPECT_NE(range.find("train.lr"), std::string::npos) << range;
  EXPECT_NE(error_of([&] { load_sweep_plan(spec(d, "grid: {preprocess.image_dim: [[48,48,32]]}\n")); })
                .find("cannot be swept: the points share one preprocessed store"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_sweep_plan(spec(d, "points: [{train.lr: 1e-2}, {train.lr: 1e-2}]\n")); })
                .find("is listed twice"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_sweep_plan(spec(d, "nightly: {tolerance: 0.1}\n")); }).find("no points"),
            std::string::npos);
}

TEST(ClusterProfile, JobOptionsThenStageOptions) {
  TempDir d("sweep_cluster");
  const ClusterProfile c = load_cluster_profile(write(d / "c.yaml",
      "partition: gpu\naccount: lab\nextra_sbatch: [--mail-type=FAIL]\nstages:\n"
      "  train: {time: '1-00:00:00', nodes: 2, ntasks_per_node: 4, gpus_per_task: 1, cpus_per_task: 8, mem: 64G,"
      " extra_sbatch: [--exclusive]}\n"));
  EXPECT_EQ(c.sbatch_options(SweepStage::kTrain),
            (std::vector<std::string>{"--partition=gpu", "--account=lab", "--mail-type=FAIL", "--time=1-00:00:00",
                                      "--nodes=2", "--ntasks-per-node=4", "--cpus-per-task=8", "--gpus-per-task=1",
                                      "--mem=64G", "--exclusive"}));
  EXPECT_EQ(c.sbatch_options(SweepStage::kReport),
            (std::vector<std::string>{"--partition=gpu", "--account=lab", "--mail-type=FAIL"}));
}

TEST(ClusterProfile, UnknownStagesKeysAndOptionsAreErrors) {
  TempDir d("sweep_cluster");
  EXPECT_NE(error_of([&] { load_cluster_profile(write(d / "a.yaml", "stages: {trian: {time: '1:00'}}\n")); })
                .find("unknown key 'trian' (did you mean 'train'?)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_cluster_profile(write(d / "b.yaml", "stages: {train: {gpus: 1}}\n")); })
                .find("unknown key 'gpus'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_cluster_profile(write(d / "c.yaml", "extra_sbatch: [exclusive]\n")); })
                .find("'exclusive' is not an sbatch option"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_cluster_profile(write(d / "d.yaml", "stages: {train: {nodes: 0}}\n")); })
                .find("stages.train.nodes: 0 is outside"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_cluster_profile(d / "missing.yaml"); }).find("missing.yaml: cannot open"),
            std::string::npos);
}

TEST(ClusterProfile, ShippedProfilesLoad) {
  for (const char* name : {"default", "local", "gpu-example"})
    EXPECT_NO_THROW(load_cluster_profile(std::string(P2L_SOURCE_DIR) + "/configs/cluster/" + name + ".yaml")) << name;
  // Spec paths are relative to the checkout, where users run p2l-sweep.
  std::filesystem::current_path(P2L_SOURCE_DIR);
  EXPECT_EQ(load_sweep_plan("configs/sweeps/patch_lr.yaml").points.size(), 6u);
}
