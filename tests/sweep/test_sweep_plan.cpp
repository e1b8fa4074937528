// Sweep specs and cluster profiles: grid crossing, point names and resolved configs, and the
// errors a user sees for unknown keys, bad values and keys that cannot be swept.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/Config.hpp"
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

TEST(SweepFuse, OnWithTheReferenceScaleOfTheBaseConfigOrTheNamedPoint) {
  TempDir d("sweep_fuse");
  const std::string grid = "grid: {train.patch_fraction: [0.0625, 0.125, 0.25]}\n";
  EXPECT_FALSE(load_sweep_plan(spec(d, grid)).fuse.enabled);  // off unless asked for
  EXPECT_FALSE(load_sweep_plan(spec(d, grid + "fuse: false\n")).fuse.enabled);
  const SweepPlan on = load_sweep_plan(spec(d, grid + "fuse: true\n"));
  EXPECT_TRUE(on.fuse.enabled);
  EXPECT_EQ(on.fuse.reference, "patch_fraction-0.125");  // the base config's patch fraction (the default)
  EXPECT_EQ(on.points[0].patch_fraction, 0.0625);
  // The fused rows: one per multi-scale rule of the fused evaluation's config.
  EXPECT_EQ(on.fuse.methods, (std::vector<std::string>{"multiscale_mean_z", "multiscale_mean_voxel_z",
                                                       "multiscale_max_z", "multiscale_fisher"}));
  EXPECT_EQ(on.fused_dir(), d.str() + "/sweep/fused");
  EXPECT_EQ(load_sweep_plan(spec(d, grid + "fuse: {reference: patch_fraction-0.25}\n")).fuse.reference,
            "patch_fraction-0.25");
  EXPECT_EQ(load_sweep_plan(spec(d, grid + "fuse: {}\n")).fuse.reference, "patch_fraction-0.125");
  // No point at the base config's patch fraction: the first point.
  EXPECT_EQ(load_sweep_plan(spec(d, "grid: {train.patch_fraction: [0.25, 0.0625]}\nfuse: true\n")).fuse.reference,
            "patch_fraction-0.25");
  // Only the multi-scale rules the config asks for.
  EXPECT_EQ(load_sweep_plan(spec(d, "overrides: [\"eval.multiscale_rules=[fisher]\"]\n" + grid + "fuse: true\n")).fuse.methods,
            (std::vector<std::string>{"multiscale_fisher"}));
}

TEST(SweepFuse, RefusedUnlessEveryPointIsAScaleOfItsOwn) {
  TempDir d("sweep_fuse");
  auto error = [&](const std::string& body) { return error_of([&] { load_sweep_plan(spec(d, body)); }); };
  const std::string spec_file = d / "spec.yaml";
  // The points do not differ in patch size.
  std::string e = error("grid: {train.lr: [1e-2, 1e-3]}\nfuse: true\n");
  EXPECT_NE(e.find(spec_file + ": fuse: points 'lr-1e-2' and 'lr-1e-3' both have train.patch_fraction 0.125; the "
                   "fused evaluation takes one checkpoint per patch size"),
            std::string::npos) << e;
  // Two points share a patch size (another key swept beside it).
  e = error("grid: {train.patch_fraction: [0.0625, 0.125], train.lr: [1e-2, 1e-3]}\nfuse: true\n");
  EXPECT_NE(e.find("points 'patch_fraction-0.0625_lr-1e-2' and 'patch_fraction-0.0625_lr-1e-3' both have "
                   "train.patch_fraction 0.0625"),
            std::string::npos) << e;
  // Explicit points with distinct patch fractions are scales too.
  EXPECT_TRUE(load_sweep_plan(spec(d, "points: [{train.patch_fraction: 0.125, train.lr: 1e-2}, "
                                      "{train.patch_fraction: 0.25, train.lr: 3e-3}]\nfuse: true\n"))
                  .fuse.enabled);
  e = error("grid: {train.patch_fraction: [0.125]}\nfuse: true\n");
  EXPECT_NE(e.find(spec_file + ": fuse: needs at least two points, one per patch size"), std::string::npos) << e;
  const std::string grid = "grid: {train.patch_fraction: [0.0625, 0.125]}\n";
  e = error(grid + "fuse: {reference: patch_fraction-0.12}\n");
  EXPECT_NE(e.find(spec_file + ": fuse.reference: unknown point 'patch_fraction-0.12' (did you mean "
                   "'patch_fraction-0.125'?)"),
            std::string::npos) << e;
  e = error(grid + "fuse: {referance: patch_fraction-0.125}\n");
  EXPECT_NE(e.find("unknown key 'referance' (did you mean 'reference'?)"), std::string::npos) << e;
  e = error(grid + "fuse: maybe\n");
  EXPECT_NE(e.find(spec_file + ": fuse: must be true, false or {reference: <point name>}"), std::string::npos) << e;
  e = error(grid + "fuse: [a]\n");
  EXPECT_NE(e.find("fuse: must be true, false or"), std::string::npos) << e;
  e = error("overrides: [\"eval.scales=[/x/best.pt]\"]\n" + grid + "fuse: true\n");
  EXPECT_NE(e.find("fuse: eval.scales is set by the sweep"), std::string::npos) << e;
  e = error(grid + "fuse: true\nfuse_reference: x\n");
  EXPECT_NE(e.find("unknown key 'fuse_reference'"), std::string::npos) << e;
}

namespace {

// A written config read back as the executables read it.
Config read_config(const std::string& path) {
  Config cfg;
  cfg.apply_yaml(read(path), path);
  return cfg;
}

}  // namespace

TEST(SweepFuse, TheFusedConfigIsTheReferencePointsOverEveryCheckpoint) {
  TempDir d("sweep_fuse");
  const std::string ae = "overrides: [\"eval.sources=[patch2loc, ae]\", train.beta=0.25]\n";
  const std::string grid = "grid: {train.patch_fraction: [0.0625, 0.125, 0.25]}\n";
  const SweepPlan p = load_sweep_plan(spec(d, ae + grid + "fuse: {reference: patch_fraction-0.25}\n"));
  ASSERT_TRUE(p.shared_autoencoder);
  write_sweep_plan(p);
  ASSERT_EQ(p.fused_config(), d.str() + "/sweep/fused/config.yaml");
  const Config fused = read_config(p.fused_config());
  const SweepPoint& ref = p.points[2];
  EXPECT_EQ(fused.run.output_dir, p.fused_dir());
  EXPECT_EQ(fused.eval.checkpoint, ref.dir + "/checkpoints/best.pt");
  EXPECT_EQ(fused.eval.scales, (std::vector<std::string>{p.dir}));  // the sweep folder: every point's best.pt
  EXPECT_EQ(fused.train.patch_fraction, 0.25);                    // the reference point's values
  EXPECT_EQ(fused.train.beta, 0.25);                              // the spec's overrides
  EXPECT_EQ(fused.train.steps, 7);                                // the base config
  EXPECT_EQ(fused.ae.output_subdir, "../shared/ae");               // the shared autoencoder, as for the points
  // eval.scales reads the points from points.tsv.
  EXPECT_EQ(read(p.points_file()).substr(0, 2), "0\t");
  // One autoencoder per point: the reference point's.
  const SweepPlan per_point = load_sweep_plan(spec(d, ae + grid + "autoencoder: per_point\nfuse: true\n"));
  write_sweep_plan(per_point);
  EXPECT_EQ(read_config(per_point.fused_config()).ae.output_subdir, "../patch_fraction-0.125/ae");
  // Without fuse there is no fused folder.
  TempDir off("sweep_fuse_off");
  write(off / "base.yaml", "train: {steps: 7}\n");
  const SweepPlan plain = load_sweep_plan(write(off / "spec.yaml", "dir: " + off.str() + "/sweep\nconfig: " +
                                                                      (off / "base.yaml") + "\n" + grid));
  write_sweep_plan(plain);
  EXPECT_FALSE(std::filesystem::exists(plain.fused_dir()));
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

TEST(ClusterProfile, TheFusedEvaluationTakesEvaluatesResourcesUnlessGivenItsOwn) {
  TempDir d("sweep_cluster");
  const ClusterProfile c = load_cluster_profile(write(d / "c.yaml", "stages:\n  evaluate: {time: '04:00:00', ntasks: 4}\n"));
  EXPECT_EQ(c.sbatch_options(SweepStage::kFuse), (std::vector<std::string>{"--time=04:00:00", "--ntasks=4"}));
  const ClusterProfile own = load_cluster_profile(
      write(d / "o.yaml", "stages:\n  evaluate: {time: '04:00:00', ntasks: 4}\n  fuse: {time: '12:00:00', ntasks: 2}\n"));
  EXPECT_EQ(own.sbatch_options(SweepStage::kFuse), (std::vector<std::string>{"--time=12:00:00", "--ntasks=2"}));
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
  const SweepPlan scales = load_sweep_plan("configs/sweeps/patch_scales.yaml");
  ASSERT_EQ(scales.points.size(), 3u);
  EXPECT_EQ(scales.keys, (std::vector<std::string>{"train.patch_fraction"}));
  EXPECT_TRUE(scales.fuse.enabled);
  EXPECT_EQ(scales.fuse.reference, "patch_fraction-0.125");
  EXPECT_TRUE(scales.shared_autoencoder);  // the patch size leaves the autoencoder alone
}
