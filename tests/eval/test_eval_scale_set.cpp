#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "eval/ScaleSet.hpp"

using namespace p2l;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

ScaleSettings scale(const std::string& source, double pf, const std::string& ckpt) {
  ScaleSettings s;
  s.source = source, s.patch_fraction = pf, s.checkpoint = ckpt;
  return s;
}

}  // namespace

TEST(ScaleSet, SourceNamesCarryThePatchFraction) {
  EXPECT_EQ(scale_source_name(0.0625), "patch2loc@0.0625");
  EXPECT_EQ(scale_source_name(0.25), "patch2loc@0.25");
  EXPECT_TRUE(is_scale_source("patch2loc@0.25"));
  EXPECT_TRUE(is_scale_source("multiscale_mean_z"));
  EXPECT_FALSE(is_scale_source("patch2loc"));
  EXPECT_FALSE(is_scale_source("zscore"));
}

TEST(ScaleSet, EntriesResolveToCheckpointsWithoutThePrimary) {
  const fs::path d = fs::temp_directory_path() / ("p2l_scale_set_" + std::to_string(::getpid()));
  fs::remove_all(d);
  touch(d / "a.pt");
  touch(d / "run" / "checkpoints" / "best.pt");
  // A sweep folder: points.tsv lists the point folders; p1 is the primary.
  touch(d / "sweep" / "p1" / "checkpoints" / "best.pt");
  touch(d / "sweep" / "p2" / "checkpoints" / "best.pt");
  std::ofstream(d / "sweep" / "points.tsv") << "0\t" << (d / "sweep" / "p1").string() << "\n1\t"
                                             << (d / "sweep" / "p2").string() << "\n";
  const std::string primary = (d / "sweep" / "p1" / "checkpoints" / "best.pt").string();
  const auto got = scale_checkpoints({(d / "a.pt").string(), (d / "run").string(), (d / "sweep").string()}, primary);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (d / "a.pt").string());
  EXPECT_EQ(got[1], (d / "run" / "checkpoints" / "best.pt").string());
  EXPECT_EQ(got[2], (d / "sweep" / "p2" / "checkpoints" / "best.pt").string());
  // The primary named directly is left out too.
  EXPECT_TRUE(scale_checkpoints({primary}, primary).empty());
  EXPECT_NE(message_of([&] { scale_checkpoints({(d / "nothing").string()}, primary); }).find("nothing"), std::string::npos);
  fs::create_directories(d / "empty_run");
  EXPECT_NE(message_of([&] { scale_checkpoints({(d / "empty_run").string()}, primary); }).find("checkpoint not found"),
            std::string::npos);
  fs::remove_all(d);
}

TEST(ScaleSet, SettingsFollowThePatchSizeUnlessGiven) {
  EvalConfig e;
  e.stride = 4, e.median_size = 7;
  const ScaleSettings small = scale_settings(e, 0, 2, "s.pt", 0.0625, 0.125);
  EXPECT_EQ(small.source, "patch2loc@0.0625");
  EXPECT_EQ(small.stride, 2);
  EXPECT_EQ(small.median_size, 3);
  const ScaleSettings large = scale_settings(e, 1, 2, "l.pt", 0.25, 0.125);
  EXPECT_EQ(large.stride, 8);
  EXPECT_EQ(large.median_size, 15);
  e.scale_strides = {1, 3}, e.scale_median_sizes = {5, 9};
  const ScaleSettings given = scale_settings(e, 1, 2, "l.pt", 0.25, 0.125);
  EXPECT_EQ(given.stride, 3);
  EXPECT_EQ(given.median_size, 9);
  EXPECT_NE(message_of([&] { scale_settings(e, 0, 3, "x.pt", 0.25, 0.125); }).find("eval.scale_strides: 2 values for 3"),
            std::string::npos);
  e.scale_strides = {}, e.scale_median_sizes = {4, 9};
  EXPECT_NE(message_of([&] { scale_settings(e, 0, 2, "x.pt", 0.25, 0.125); }).find("even"), std::string::npos);
}

TEST(ScaleSet, TwoCheckpointsOfOnePatchSizeAreAnError) {
  const std::string m = message_of([] {
    check_distinct_scales({scale("patch2loc", 0.125, "a.pt"), scale("patch2loc@0.25", 0.25, "b.pt"),
                           scale("patch2loc@0.125", 0.125, "c.pt")});
  });
  EXPECT_NE(m.find("a.pt and c.pt both have patch fraction 0.125"), std::string::npos) << m;
  EXPECT_NO_THROW(check_distinct_scales({scale("patch2loc", 0.125, "a.pt"), scale("patch2loc@0.25", 0.25, "b.pt")}));
}

TEST(ScaleSet, ScaleSourcesJoinTheMethodsAndTheFusionPairs) {
  EvalConfig e;
  e.sources = {"patch2loc", "zscore", "ae"};
  e.fusion_pairs = {"patch2loc*zscore", "ae*patch2loc", "zscore*ae"};
  e.multiscale_rules = {MultiScaleRule::kMeanZ, MultiScaleRule::kFisher};
  add_scale_sources(e, {scale("patch2loc", 0.125, "a.pt"), scale("patch2loc@0.25", 0.25, "b.pt")});
  EXPECT_EQ(e.sources, (std::vector<std::string>{"patch2loc", "zscore", "ae", "patch2loc@0.25", "multiscale_mean_z",
                                                 "multiscale_fisher"}));
  EXPECT_EQ(e.fusion_pairs,
            (std::vector<std::string>{"patch2loc*zscore", "ae*patch2loc", "zscore*ae", "multiscale_mean_z*zscore",
                                      "multiscale_fisher*zscore", "multiscale_mean_z*ae", "multiscale_fisher*ae"}));
  // Twice: nothing added twice.
  const EvalConfig once = e;
  add_scale_sources(e, {scale("patch2loc", 0.125, "a.pt"), scale("patch2loc@0.25", 0.25, "b.pt")});
  EXPECT_EQ(e.sources, once.sources);
  EXPECT_EQ(e.fusion_pairs, once.fusion_pairs);
}

TEST(ScaleSet, ASourceThisEvaluationDoesNotComputeIsAnError) {
  EvalConfig single;
  single.sources = {"patch2loc", "multiscale_mean_z"};
  EXPECT_NE(message_of([&] { add_scale_sources(single, {scale("patch2loc", 0.125, "a.pt")}); }).find("needs eval.scales"),
            std::string::npos);
  EvalConfig multi;
  multi.multiscale_rules = {MultiScaleRule::kMaxZ};
  multi.select_fusion_pairs = {"multiscale_fisher*zscore"};
  const std::string m = message_of(
      [&] { add_scale_sources(multi, {scale("patch2loc", 0.125, "a.pt"), scale("patch2loc@0.25", 0.25, "b.pt")}); });
  EXPECT_NE(m.find("eval.select_fusion_pairs: map source 'multiscale_fisher' is not computed"), std::string::npos) << m;
  EXPECT_NE(m.find("patch2loc@0.25, multiscale_max_z"), std::string::npos) << m;
}
