#include <gtest/gtest.h>

#include "support/ErrorOf.hpp"

#include <filesystem>
#include <fstream>
#include <set>

#include "config/Config.hpp"

using p2l::Config;
using p2l::LocationLoss;
using p2l::LrSchedule;
using p2l::Modality;
using p2l::Precision;

using p2l::testing::error_of;

TEST(Config, DefaultsMatchSpec) {
  Config c;
  EXPECT_EQ(c.train.patch_fraction, 0.125);
  EXPECT_EQ(c.train.slices_per_step, 356);
  EXPECT_EQ(c.train.patches_per_step * 4, 8096);
  EXPECT_EQ(c.train.min_brain_fraction, 0.2);
  EXPECT_EQ(c.train.beta, 0.5);
  EXPECT_EQ(c.train.lr, 1e-2);
  EXPECT_EQ(c.eval.median_size, 7);
  EXPECT_EQ(c.eval.healthy_quantile, 98.0);
  EXPECT_EQ((c.preprocess.image_dim), (std::vector<int>{192, 192, 100}));
  EXPECT_EQ(c.run.seed, 3141);
}

TEST(Config, YamlAndOverridesApplyInOrder) {
  Config c;
  c.apply_yaml("train:\n  lr: 0.001\n  loss: mse\npreprocess:\n  image_dim: [96, 96, 40]\n", "t.yaml");
  EXPECT_DOUBLE_EQ(c.train.lr, 1e-3);
  EXPECT_EQ(c.train.loss, LocationLoss::kMse);
  EXPECT_EQ((c.preprocess.image_dim), (std::vector<int>{96, 96, 40}));
  c.apply_override("train.lr=1e-4");
  c.apply_override("eval.fpr_targets=[0.02, 0.2]");
  c.apply_override("preprocess.n4=true");
  EXPECT_DOUBLE_EQ(c.train.lr, 1e-4);
  EXPECT_EQ((c.eval.fpr_targets), (std::vector<double>{0.02, 0.2}));
  EXPECT_TRUE(c.preprocess.n4);
  // Only the overrides count as set on purpose (a checkpoint's facts give way to none of
  // them), under the key's current name even when given by an old one.
  c.apply_override("eval.sweep=grid.yaml");
  EXPECT_EQ(c.overridden, (std::set<std::string>{"train.lr", "eval.fpr_targets", "preprocess.n4", "eval.methods"}));
}

TEST(Config, UnknownKeyNamesKeyAndSuggestsClosest) {
  Config c;
  auto e = error_of([&] { c.apply_override("train.lrr=1"); });
  EXPECT_NE(e.find("unknown config key 'train.lrr'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'train.lr'"), std::string::npos) << e;
  e = error_of([&] { c.apply_yaml("train:\n  patch_fractoin: 0.1\n", "x.yaml"); });
  EXPECT_NE(e.find("x.yaml"), std::string::npos) << e;
  EXPECT_NE(e.find("train.patch_fraction"), std::string::npos) << e;
  e = error_of([&] { c.apply_yaml("trian:\n  lr: 0.1\n", "x.yaml"); });
  EXPECT_NE(e.find("unknown config section 'trian'"), std::string::npos) << e;
  EXPECT_NE(e.find("'train'"), std::string::npos) << e;
}

TEST(Config, WrongTypeAndRangeNameKeyAndAllowedValues) {
  Config c;
  auto e = error_of([&] { c.apply_override("train.steps=many"); });
  EXPECT_NE(e.find("train.steps"), std::string::npos) << e;
  EXPECT_NE(e.find("not a integer"), std::string::npos) << e;
  e = error_of([&] { c.apply_override("train.min_brain_fraction=1.5"); });
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
  EXPECT_NE(e.find("[0.0, 1.0]"), std::string::npos) << e;
  e = error_of([&] { c.apply_override("train.loss=l1"); });
  EXPECT_NE(e.find("beta_nll mse stirn"), std::string::npos) << e;
  e = error_of([&] { c.apply_override("preprocess.image_dim=[1,2]"); });
  EXPECT_NE(e.find("exactly 3 elements"), std::string::npos) << e;
  e = error_of([&] { c.apply_override("train.lr"); });
  EXPECT_NE(e.find("section.key=value"), std::string::npos) << e;
  e = error_of([&] { c.apply_yaml("train: [1, 2\n", "broken.yaml"); });
  EXPECT_NE(e.find("broken.yaml: invalid YAML"), std::string::npos) << e;
  EXPECT_EQ(c.train.steps, Config().train.steps) << "a rejected value must not be applied";
}

TEST(Config, RenamedEvalMethodsKeyKeepsItsAliasAndEnumsAreChecked) {
  Config c;
  c.apply_override("eval.sweep=grid_a.yaml");
  EXPECT_EQ(c.eval.methods, "grid_a.yaml");
  c.apply_yaml("eval:\n  methods: grid_b.yaml\n", "cfg.yaml");
  EXPECT_EQ(c.eval.methods, "grid_b.yaml");
  EXPECT_EQ(c.to_yaml().find("\n  sweep:"), std::string::npos) << "resolved configs name only eval.methods, not its alias";
  EXPECT_NE(c.to_yaml().find("methods: \"grid_b.yaml\""), std::string::npos) << c.to_yaml();
  const auto e = error_of([&] { c.apply_override("eval.fusion_modes=[product, none]"); });
  EXPECT_NE(e.find("product weighted max fisher"), std::string::npos) << e;  // "none" is no fusion mode
}

TEST(Config, ResolvedYamlRoundTrips) {
  Config a;
  a.apply_override("train.lr=0.0003");
  a.apply_override("data.test_sets=[tumor]");
  a.apply_override("run.output_dir=some dir/with: colon");
  Config b;
  b.apply_yaml(a.to_yaml(), "resolved");
  EXPECT_EQ(a.to_yaml(), b.to_yaml());
  EXPECT_DOUBLE_EQ(b.train.lr, 3e-4);
  EXPECT_EQ(b.run.output_dir, "some dir/with: colon");
}

TEST(Config, HeterotopiaIsADefaultLesionSetWithRangedParameters) {
  Config c;
  const std::vector<std::string> sets{"tumor", "ms", "stroke", "wmh", "heterotopia"};
  EXPECT_EQ(c.cohort.lesion_sets, sets);
  EXPECT_EQ(c.data.test_sets, sets);
  EXPECT_EQ((c.cohort.heterotopia_count), (std::vector<int>{1, 8}));
  EXPECT_EQ((c.cohort.heterotopia_diameter_mm), (std::vector<double>{3.0, 12.0}));
  c.apply_override("cohort.lesion_sets=[heterotopia]");
  EXPECT_EQ(c.cohort.lesion_sets, std::vector<std::string>{"heterotopia"});
  EXPECT_NE(error_of([&] { c.apply_override("cohort.lesion_sets=[heterotopias]"); }).find("one of tumor ms stroke wmh heterotopia"),
            std::string::npos);
  EXPECT_NE(error_of([&] { c.apply_override("cohort.heterotopia_confluent_prob=1.5"); }).find("out of range"),
            std::string::npos);
  EXPECT_NE(error_of([&] { c.apply_override("cohort.heterotopia_count=[1, 2, 3]"); }).find("exactly 2 elements"),
            std::string::npos);
  c.apply_override("cohort.heterotopia_periventricular_fraction=1");
  EXPECT_EQ(c.cohort.heterotopia_periventricular_fraction, 1.0);
}

TEST(Config, ShippedConfigsLoad) {
  for (const char* name : {"default.yaml", "paper_t2.yaml", "paper_t1.yaml"}) {
    std::ifstream in(std::string(P2L_SOURCE_DIR) + "/configs/" + name);
    ASSERT_TRUE(in) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    Config c;
    EXPECT_NO_THROW(c.apply_yaml(ss.str(), name)) << name;
  }
  Config t1;
  std::ifstream in(std::string(P2L_SOURCE_DIR) + "/configs/paper_t1.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  t1.apply_yaml(ss.str(), "paper_t1.yaml");
  EXPECT_EQ(t1.data.modality, Modality::kT1);
}

// The values docs/PAPER_CONFIGS.md lists against the reference code (bakerhassan/Patch2Loc).
TEST(Config, PaperConfigsResolveToTheReferenceValues) {
  for (const char* name : {"paper_t1.yaml", "paper_t2.yaml"}) {
    std::ifstream in(std::string(P2L_SOURCE_DIR) + "/configs/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    Config c;
    c.apply_yaml(ss.str(), name);
    SCOPED_TRACE(name);
    EXPECT_EQ(c.run.seed, 3141);
    EXPECT_EQ(c.preprocess.image_dim, (std::vector<int>{192, 192, 100}));
    EXPECT_EQ(c.preprocess.rescale_factor, 1);
    EXPECT_EQ(c.preprocess.clip_percentiles, (std::vector<double>{1.0, 99.0}));
    EXPECT_TRUE(c.preprocess.histogram_standardization);
    EXPECT_TRUE(c.preprocess.curvature_flow);
    EXPECT_EQ(c.preprocess.curvature_flow_iterations, 3);
    EXPECT_DOUBLE_EQ(c.preprocess.curvature_flow_time_step, 0.125);
    EXPECT_DOUBLE_EQ(c.train.patch_fraction, 0.125);
    EXPECT_EQ(c.train.slices_per_step, 356);
    EXPECT_EQ(c.train.patches_per_step, 8096);  // 4 x 8096 = 32,384 candidates
    EXPECT_TRUE(c.train.keep_all_candidates);
    EXPECT_DOUBLE_EQ(c.train.min_brain_fraction, 0.2);
    EXPECT_EQ(c.train.loss, LocationLoss::kBetaNll);
    EXPECT_DOUBLE_EQ(c.train.beta, 0.5);
    EXPECT_DOUBLE_EQ(c.train.lr, 0.01);
    EXPECT_EQ(c.train.schedule, LrSchedule::kConstant);
    EXPECT_EQ(c.train.precision, Precision::kFp32);
    EXPECT_EQ(c.train.steps, 15000);
    EXPECT_EQ(c.eval.stride, 1);
    EXPECT_EQ(c.eval.score, p2l::ScoreComponent::kBoth);
    EXPECT_EQ(c.eval.median_size, 7);
    EXPECT_EQ(c.eval.erode_mask, 0);
    EXPECT_EQ(c.eval.precision, p2l::Precision::kAuto);  // fp16 on GPU
    EXPECT_EQ(c.eval.checkpoint, "best");
  }
}

TEST(Config, CommandLineParsesConfigFileAndOverrides) {
  auto dir = std::filesystem::temp_directory_path() / "p2l_cfg_test";
  std::filesystem::create_directories(dir);
  auto f = (dir / "c.yaml").string();
  std::ofstream(f) << "train:\n  steps: 7\n";
  std::string a0 = "tool", a1 = "--config", a2 = f, a3 = "train.steps=9", a4 = "eval.stride=2";
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data()};
  Config c = p2l::parse_command_line(5, argv, "tool", "");
  EXPECT_EQ(c.train.steps, 9);
  EXPECT_EQ(c.eval.stride, 2);
  std::string b1 = "--bogus";
  char* bad[] = {a0.data(), b1.data()};
  EXPECT_NE(error_of([&] { p2l::parse_command_line(2, bad, "tool", ""); }).find("unexpected argument"),
            std::string::npos);
}
