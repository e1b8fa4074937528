#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "eval/EvaluationFigures.hpp"
#include "report/MarkdownTable.hpp"
#include "report/PngImage.hpp"
#include "support/TempDir.hpp"

using namespace p2l;
namespace fs = std::filesystem;

namespace {

struct TempDir : p2l::testing::TempDir {
  TempDir() : p2l::testing::TempDir("test_eval_figures") {}
};

VolumeRow row(const std::string& setting, const std::string& rule, const std::string& set, const std::string& id,
              double dice, double auprc) {
  VolumeRow v;
  v.method = setting, v.rule = rule, v.set = set, v.id = id, v.dice = dice, v.auprc = auprc;
  return v;
}

// Two settings x two rules; "zs" lacks the first rule; set "c" is not asked for.
MethodResults scored() {
  MethodResults r;
  r.rows = {{"P2L", "oracle"}, {"P2L", "q99"}, {"zs", "q99"}, {"empty", "oracle"}};
  for (const char* id : {"a1", "a2", "a3"}) {
    r.volumes.push_back(row("P2L", "oracle", "a", id, 0.6, 0.5));
    r.volumes.push_back(row("P2L", "q99", "a", id, 0.4, 0.5));
    r.volumes.push_back(row("zs", "q99", "a", id, 0.2, 0.3));
    r.volumes.push_back(row("empty", "oracle", "a", id, NAN, NAN));
  }
  r.volumes.push_back(row("P2L", "oracle", "b", "b1", 0.7, 0.8));
  r.volumes.push_back(row("P2L", "q99", "b", "b1", 0.1, 0.8));
  r.volumes.push_back(row("zs", "q99", "b", "b1", 0.3, 0.35));
  r.volumes.push_back(row("P2L", "oracle", "c", "c1", 0.9, 0.9));
  r.volumes.push_back(row("P2L", "oracle", "healthy", "h1", NAN, NAN));
  return r;
}

Geometry grid3(size_t h, size_t w, size_t z) {
  Geometry g;
  g.size = {h, w, z};
  g.spacing = {1.0, 1.2, 2.0};
  return g;
}

// A 24 x 20 x 6 subject: brain everywhere but the border, lesion block in slice 1 when `lesion`.
EvalSubject subject(const std::string& id, bool lesion) {
  const Geometry g = grid3(24, 20, 6);
  EvalSubject s;
  s.id = id, s.label = lesion;
  s.mask = LabelVolume(g, 0);
  s.image = FloatVolume(g, 0.0f);
  s.raw = {FloatVolume(g, -6.0f), FloatVolume(g, -5.0f)};
  for (size_t k = 0; k < 6; ++k)
    for (size_t j = 1; j < 19; ++j)
      for (size_t i = 1; i < 23; ++i) s.mask.at(i, j, k) = 1, s.image.at(i, j, k) = 0.4f + 0.01f * float(i);
  if (lesion) {
    s.seg = LabelVolume(g, 0);
    for (size_t j = 6; j < 12; ++j)
      for (size_t i = 8; i < 16; ++i) s.seg.at(i, j, 1) = 1, s.raw.error.at(i, j, 1) = 2.0f, s.raw.variance.at(i, j, 1) = -2.0f;
  }
  return s;
}

size_t red_pixels(const RgbImage& img) {
  size_t n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const Rgb p = img.get(x, y);
      n += p.r > 220 && p.g < 50 && p.b < 50;
    }
  return n;
}

bool is_pdf(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string head(4, '\0');
  f.read(head.data(), 4);
  return head == "%PDF";
}

}  // namespace

TEST(EvalFigures, BoxPlotDataGroupsPerSetAndMethodForOneRule) {
  const MethodResults r = scored();
  const BoxPlotData d = box_plot_data(r, {"a", "b"}, BoxMetric::kDice, "oracle");
  ASSERT_EQ(d.groups, (std::vector<std::string>{"a", "b"}));
  // "zs" has no oracle rows, "empty" has only NaN values: both are left out.
  ASSERT_EQ(d.methods, (std::vector<std::string>{"P2L"}));
  ASSERT_EQ(d.values.size(), 2u);
  ASSERT_EQ(d.values[0].size(), 1u);
  EXPECT_EQ(d.values[0][0], (std::vector<double>{0.6, 0.6, 0.6}));
  EXPECT_EQ(d.values[1][0], (std::vector<double>{0.7}));
}

TEST(EvalFigures, BoxPlotDataWithoutRuleTakesEverySettingsFirstRuleOnce) {
  const BoxPlotData d = box_plot_data(scored(), {"b", "a"}, BoxMetric::kAuprc, "");
  ASSERT_EQ(d.methods, (std::vector<std::string>{"P2L", "zs"}));
  EXPECT_EQ(d.values[0][0], (std::vector<double>{0.8}));  // set b, P2L: once, not once per rule
  EXPECT_EQ(d.values[0][1], (std::vector<double>{0.35}));
  EXPECT_EQ(d.values[1][0], (std::vector<double>{0.5, 0.5, 0.5}));
  EXPECT_EQ(d.values[1][1], (std::vector<double>{0.3, 0.3, 0.3}));
}

TEST(EvalFigures, WriteBoxPlotsWritesDiceAndAuprcFigures) {
  TempDir dir;
  const auto files = write_box_plots(dir.str(), scored(), {"a", "b"});
  ASSERT_EQ(files, (std::vector<std::string>{"box_dice.png", "box_auprc.png"}));
  for (const char* base : {"box_dice", "box_auprc"}) {
    const RgbImage img = read_png((dir.path / (std::string(base) + ".png")).string());
    EXPECT_GT(img.width, 400);
    EXPECT_TRUE(is_pdf((dir.path / (std::string(base) + ".pdf")).string())) << base;
  }
  EXPECT_TRUE(write_box_plots(dir.str(), MethodResults{}, {"a"}).empty());
}

TEST(EvalFigures, TrainingCurvesSkipMissingLogs) {
  TempDir dir;
  const std::string log = (dir.path / "train_log.jsonl").string();
  {
    std::ofstream f(log);
    for (int s = 1; s <= 20; ++s) {
      f << "{\"step\": " << s << ", \"loss\": " << 3.0 / s << ", \"patches\": 8, \"seconds\": 1, \"wall_seconds\": " << s << "}\n";
      if (s % 5 == 0)
        f << "{\"step\": " << s << ", \"val_loss\": " << 3.5 / s << ", \"val_location_error\": " << 20.0 / s
          << ", \"val_chance_error\": 25, \"wall_seconds\": " << s + 0.5 << ", \"best\": true}\n";
    }
  }
  const auto files = write_training_curves(dir.str(), {{"Patch2Loc", log}, {"AE", (dir.path / "ae" / "none.jsonl").string()}});
  ASSERT_EQ(files, (std::vector<std::string>{"training_curves_patch2loc.png"}));
  EXPECT_TRUE(fs::exists(dir.path / "training_curves_patch2loc.pdf"));
  EXPECT_GT(read_png((dir.path / files[0]).string()).width, 800);
}

TEST(EvalFigures, OverlaysKdeForDiseasedAndHealthyVolumes) {
  TempDir dir;
  EvalInputs in;
  in.sets = {"setA"};
  in.test["setA"] = {subject("s1", true)};
  in.healthy_test = {subject("h1", false)};
  in.healthy_name = "healthy";
  Method m;
  m.score = ScoreComponent::kError, m.median_size = 1;
  const auto files = write_overlay_figures(dir.str(), in, m, 2, 12.0);
  ASSERT_EQ(files, (std::vector<std::string>{"overlay_setA.png", "overlay_healthy.png"}));
  for (const char* base : {"overlay_setA", "overlay_healthy"})
    EXPECT_TRUE(is_pdf((dir.path / (std::string(base) + ".pdf")).string())) << base;
  const RgbImage diseased = read_png((dir.path / "overlay_setA.png").string());
  const RgbImage healthy = read_png((dir.path / "overlay_healthy.png").string());
  // One lesion slice only (the largest-area pick), healthy: two slices spread over the brain.
  EXPECT_LT(diseased.height, healthy.height);
  // Pure red: the outline, and a band of the colour bar in every row (the healthy page has two).
  EXPECT_GT(red_pixels(diseased), red_pixels(healthy) / 2 + 200) << "ground-truth outline";

  const std::string kde = write_kde_figure(dir.str(), in, 1);
  EXPECT_EQ(kde, "kde_error_variance.png");
  EXPECT_GT(read_png((dir.path / kde).string()).width, 500);
  EXPECT_TRUE(is_pdf((dir.path / "kde_error_variance.pdf").string()));
}

TEST(EvalFigures, MarkdownTableEscapesAndFormats) {
  MarkdownTable t{{"Method", "Dice"}, {{"a|b", mean_pm_std(0.5, 0.25, 3, 4)}}};
  EXPECT_EQ(t.render(), "| Method | Dice |\n| --- | ---: |\n| a\\|b | 0.500 ± 0.250 (3/4) |\n");
  EXPECT_EQ(mean_pm_std(NAN, NAN, 0, 2), "n/a");
}
