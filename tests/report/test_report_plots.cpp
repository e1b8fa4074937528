#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "report/KernelDensity.hpp"
#include "report/Plots.hpp"
#include "report/PngImage.hpp"
#include "support/TempDir.hpp"
#include "report/TrainingLogReader.hpp"

using namespace p2l;
namespace fs = std::filesystem;

namespace {

struct TempDir : p2l::testing::TempDir {
  TempDir() : p2l::testing::TempDir("test_report_plots") {}
};

bool near(Rgb a, Rgb b, int tol) {
  return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

size_t count_if_px(const RgbImage& img, const std::function<bool(Rgb)>& f) {
  size_t n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) n += f(img.get(x, y));
  return n;
}
size_t count_near(const RgbImage& img, Rgb c, int tol) {
  return count_if_px(img, [&](Rgb p) { return near(p, c, tol); });
}
bool is_red(Rgb p) { return p.r > 220 && p.g < 50 && p.b < 50; }

// The PNG has the announced size and is not blank; the PDF is a PDF.
RgbImage check_files(const FigureFiles& f) {
  EXPECT_TRUE(fs::exists(f.png)) << f.png;
  EXPECT_TRUE(fs::exists(f.pdf)) << f.pdf;
  std::ifstream pdf(f.pdf, std::ios::binary);
  std::string head(5, '\0');
  pdf.read(head.data(), 5);
  EXPECT_EQ(head.substr(0, 4), "%PDF") << f.pdf;
  EXPECT_GT(fs::file_size(f.pdf), 1000u);
  RgbImage img = read_png(f.png);
  EXPECT_EQ(img.width, f.width);
  EXPECT_EQ(img.height, f.height);
  const size_t white = count_near(img, {255, 255, 255}, 0), dark = count_near(img, {0, 0, 0}, 40);
  EXPECT_GT(white, size_t(img.width) * img.height / 10) << "white background";
  EXPECT_GT(dark, 500u) << "axes and text";
  // No temporary files left next to the figures.
  for (const auto& e : fs::directory_iterator(fs::path(f.png).parent_path()))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  return img;
}

OverlayRow make_row(int H, int W, bool lesion, float heat) {
  OverlayRow r;
  r.label = "slice k = 3";
  r.image.assign(size_t(H) * W, 0.5f);
  r.heat.assign(size_t(H) * W, heat);
  r.mask.assign(size_t(H) * W, 1);
  for (int w = 0; w < W; ++w) r.mask[w] = 0;  // h = 0 outside the brain
  if (lesion) {
    r.seg.assign(size_t(H) * W, 0);
    for (int h = 10; h < 22; ++h)
      for (int w = 12; w < 24; ++w) r.seg[size_t(h) * W + w] = 1;
  }
  return r;
}

}  // namespace

TEST(ReportPlots, OverlayHasJetHeatmapColourBarAndRedOutline) {
  TempDir dir;
  const SliceGeometry g{40, 32, 1.0, 1.5};
  // Heat at 3/4 of vmax: jet(0.75) everywhere inside the mask.
  const FigureFiles f = plot_overlays(dir / "overlay_a", g, {make_row(40, 32, true, 9.0f), make_row(40, 32, true, 9.0f)},
                                      12.0, "set A subject s1");
  EXPECT_EQ(f.png, dir / "overlay_a.png");
  EXPECT_EQ(f.pdf, dir / "overlay_a.pdf");
  const RgbImage img = check_files(f);
  const size_t hot = count_near(img, jet(0.75), 6);
  EXPECT_GT(hot, 2 * 20000u) << "two heatmap panels in jet(0.75)";
  // The colour bar holds the whole jet scale.
  EXPECT_GT(count_near(img, jet(0.05), 6), 20u);
  EXPECT_GT(count_near(img, jet(0.95), 6), 20u);
  const size_t red = count_if_px(img, is_red);

  // The same without ground truth: no outline, so (almost) no pure red (the colour bar keeps a band).
  const FigureFiles h = plot_overlays(dir / "overlay_h", g, {make_row(40, 32, false, 9.0f), make_row(40, 32, false, 9.0f)},
                                      12.0, "healthy");
  const RgbImage himg = check_files(h);
  const size_t red_h = count_if_px(himg, is_red);
  EXPECT_GT(red, red_h + 2 * 300) << "outline of a 12 x 12 voxel lesion in two rows";
  EXPECT_EQ(himg.width, img.width);
  EXPECT_EQ(himg.height, img.height);

  // One row: a shorter page.
  const FigureFiles one = plot_overlays(dir / "overlay_1", g, {make_row(40, 32, true, 9.0f)}, 12.0, "one row");
  EXPECT_LT(one.height, f.height);
  EXPECT_EQ(one.width, f.width);
}

TEST(ReportPlots, OverlayHeatOutsideMaskIsBlackAndValuesClamp) {
  TempDir dir;
  const SliceGeometry g{40, 32, 1.0, 1.0};
  OverlayRow r = make_row(40, 32, false, 50.0f);  // above vmax: the top of the scale
  const RgbImage img = check_files(plot_overlays(dir / "o", g, {r}, 12.0, "clamped"));
  EXPECT_GT(count_near(img, jet(1.0), 6), 20000u);
  EXPECT_THROW(plot_overlays(dir / "bad", g, {OverlayRow{"x", {1.0f}, {1.0f}, {}, {}}}, 12.0, "bad"),
               std::runtime_error);
}

TEST(ReportPlots, KdeShowsBothGroupsInTheirColours) {
  TempDir dir;
  ScatterGroup a{"normal", {}, {}, 0.25, 10000}, b{"lesion", {}, {}, -0.5, 0};
  for (int i = 0; i < 400; ++i) {
    const double u = std::sin(i * 0.37), v = std::cos(i * 0.91);
    a.x.push_back(-6 + 0.5 * u), a.y.push_back(-3 + 0.4 * v);
    b.x.push_back(-1 + 0.5 * v), b.y.push_back(-1 + 0.4 * u);
  }
  const Rgb blue{31, 119, 180}, orange{255, 127, 14};
  const RgbImage both = check_files(plot_kde(dir / "kde", {a, b}, "log error", "mean log-variance", "KDE"));
  const size_t blue_both = count_near(both, blue, 12), orange_both = count_near(both, orange, 12);
  EXPECT_GT(blue_both, 300u) << "contour lines and marginal of the first group";
  EXPECT_GT(orange_both, 300u);
  // The band between the 95 % and 75 % contours is tinted: 23 % of the group colour over white.
  auto tint = [](Rgb c, double a) {
    auto mix = [&](int v) { return uint8_t(std::lround(255 * (1 - a) + v * a)); };
    return Rgb{mix(c.r), mix(c.g), mix(c.b)};
  };
  EXPECT_GT(count_near(both, tint(blue, 0.23), 3), 2000u);
  EXPECT_GT(count_near(both, tint(orange, 0.23), 3), 2000u);
  // Without the lesion points, their contours and marginals go (the legend entry stays).
  ScatterGroup few{"lesion", {-1.0}, {-1.0}, 0, 0};
  const RgbImage one = check_files(plot_kde(dir / "kde1", {a, few}, "log error", "mean log-variance", "KDE"));
  EXPECT_LT(count_near(one, orange, 12), orange_both / 3);
  EXPECT_GT(count_near(one, blue, 12), 300u);
}

TEST(ReportPlots, EllipsesShowPredictionsAndTheTrueLocation) {
  TempDir dir;
  const SliceGeometry g{64, 48, 1.0, 1.0};
  std::vector<float> img(64 * 48, 0.3f);
  std::vector<LocationEllipse> e = {{30, 20, 4, 3}, {34, 26, 6, 2}, {28, 22, 3, 5}};
  const RgbImage with = check_files(plot_location_ellipses(dir / "ell", g, img, 32, 24, e, "ellipses"));
  const RgbImage without = check_files(plot_location_ellipses(dir / "ell0", g, img, 32, 24, {}, "none"));
  auto yellow = [](Rgb p) { return p.r > 220 && p.g > 180 && p.b < 60; };
  auto green = [](Rgb p) { return p.r < 60 && p.g > 200 && p.b < 110; };
  EXPECT_GT(count_if_px(with, yellow), count_if_px(without, yellow) + 300) << "three ellipse outlines";
  EXPECT_GT(count_if_px(with, is_red), count_if_px(without, is_red) + 20) << "centres";
  // The true location's cross (the legend shows one too): gone when it lies off the slice.
  const RgbImage off = check_files(plot_location_ellipses(dir / "ell_off", g, img, -40, -40, {}, "off"));
  EXPECT_GT(count_if_px(without, green), count_if_px(off, green) + 40) << "true location";
  // The slice shows in gray.
  EXPECT_GT(count_near(with, gray(0.3), 2), 100000u);
}

TEST(ReportPlots, TrainingCurvesPlotLossAndValidation) {
  TempDir dir;
  TrainingSeries s;
  s.error_key = "location_error";
  for (int i = 1; i <= 400; ++i) {
    s.step.push_back(i), s.loss.push_back(5.0 * std::exp(-i / 100.0) + 0.1 + 0.05 * std::sin(i)), s.wall.push_back(i * 20.0);
    if (i % 50 == 0) {
      s.val_step.push_back(i), s.val_loss.push_back(5.0 * std::exp(-i / 100.0) + 0.2);
      s.val_error.push_back(20.0 * std::exp(-i / 150.0) + 3), s.val_chance.push_back(25), s.val_wall.push_back(i * 20.0);
    }
  }
  const RgbImage img = check_files(plot_training_curves(dir / "curves", s, "Patch2Loc training"));
  EXPECT_GT(count_near(img, {31, 119, 180}, 10), 300u) << "running mean of the loss";
  EXPECT_GT(count_near(img, {255, 127, 14}, 10), 200u) << "validation loss";
  EXPECT_GT(count_near(img, {44, 160, 44}, 10), 200u) << "validation error";
  // Negative losses (Gaussian NLL): a linear axis, still drawn.
  for (double& l : s.loss) l -= 3;
  check_files(plot_training_curves(dir / "curves_neg", s, "negative"));
  // No validation at all.
  TrainingSeries t;
  t.step = {1, 2, 3}, t.loss = {1, 0.5, 0.25}, t.wall = {1, 2, 3};
  check_files(plot_training_curves(dir / "curves_noval", t, "no validation"));
}

TEST(ReportPlots, BoxStatsQuartilesWhiskersOutliers) {
  BoxStats b = box_stats({1, 2, 3, 4, 5, 6, 7, 8, 9, 100, NAN});
  EXPECT_EQ(b.n, 10u);
  EXPECT_DOUBLE_EQ(b.median, 5.5);
  EXPECT_DOUBLE_EQ(b.q1, 3.25);
  EXPECT_DOUBLE_EQ(b.q3, 7.75);
  EXPECT_DOUBLE_EQ(b.whisker_lo, 1);
  EXPECT_DOUBLE_EQ(b.whisker_hi, 9);
  ASSERT_EQ(b.outliers.size(), 1u);
  EXPECT_DOUBLE_EQ(b.outliers[0], 100);
  EXPECT_EQ(box_stats({NAN}).n, 0u);
}

TEST(ReportPlots, KernelDensitiesHoldUnitMassAndMassLevelsSplitIt) {
  // Points well inside the grid: the grid sums are the estimates' mass, 1 up to the kernels'
  // cut-off at 4 bandwidths.
  double mass_1d = 0, mass_2d = 0;
  for (double v : kde_1d({0.0}, -5, 5, 1001, 0.5)) mass_1d += v * 0.01;
  for (double v : kde_2d({0.0, 1.0}, {0.0, -1.0}, -5, 5, -5, 5, 201, 0.5, 0.5)) mass_2d += v * 0.05 * 0.05;
  EXPECT_NEAR(mass_1d, 1.0, 1e-3);
  EXPECT_NEAR(mass_2d, 1.0, 1e-3);
  // 4 + 3 of the total 10 reach half the mass; all four values reach all of it.
  EXPECT_EQ(mass_levels({1, 4, 2, 3}, {0.5, 1.0}), (std::vector<double>{3, 1}));
}

TEST(ReportPlots, BoxPlotsDrawABoxPerMethodInItsColour) {
  TempDir dir;
  BoxPlotData d;
  d.groups = {"setA", "setB"};
  d.methods = {"Patch2Loc", "z-score", "AE"};
  d.values.assign(2, std::vector<std::vector<double>>(3));
  for (int g = 0; g < 2; ++g)
    for (int m = 0; m < 3; ++m)
      for (int i = 0; i < 12; ++i) d.values[g][m].push_back(0.1 + 0.25 * m + 0.02 * i + 0.05 * g);
  const RgbImage img = check_files(plot_box_plots(dir / "dice", d, "Dice", "Dice per set"));
  // Box fills are the method colours at 75 % opacity over white.
  auto blend = [](int c) { return uint8_t(std::lround(0.75 * c + 0.25 * 255)); };
  const Rgb m0{blend(31), blend(119), blend(180)}, m2{blend(44), blend(160), blend(44)};
  EXPECT_GT(count_near(img, m0, 8), 1500u);
  EXPECT_GT(count_near(img, m2, 8), 1500u);
  // Without the third method's values its boxes go (the legend swatch stays).
  for (auto& g : d.values) g[2].clear();
  const RgbImage two = check_files(plot_box_plots(dir / "dice2", d, "Dice", "Dice per set"));
  EXPECT_LT(count_near(two, m2, 8), 600u);
  d.values.pop_back();
  EXPECT_THROW(plot_box_plots(dir / "bad", d, "Dice", "bad"), std::runtime_error);
}

TEST(ReportPlots, UnwritableFolderThrowsNamingThePath) {
  std::ofstream(fs::temp_directory_path() / "test_report_plots_file") << "x";
  const std::string base = (fs::temp_directory_path() / "test_report_plots_file" / "sub" / "fig").string();
  try {
    plot_location_ellipses(base, {4, 4, 1, 1}, std::vector<float>(16, 0.5f), 1, 1, {}, "t");
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("test_report_plots_file"), std::string::npos) << e.what();
  }
  fs::remove(fs::temp_directory_path() / "test_report_plots_file");
}

TEST(ReportTrainingLog, ParsesFlatJson) {
  std::map<std::string, double> kv;
  ASSERT_TRUE(parse_flat_json(R"({"step": 3, "loss": -1.5e-2, "best": true, "x": null, "s": "a,\"b}"})", kv));
  EXPECT_DOUBLE_EQ(kv["step"], 3);
  EXPECT_DOUBLE_EQ(kv["loss"], -0.015);
  EXPECT_DOUBLE_EQ(kv["best"], 1);
  EXPECT_TRUE(std::isnan(kv["x"]));
  EXPECT_EQ(kv.count("s"), 0u);
  EXPECT_TRUE(parse_flat_json("{}", kv));
  EXPECT_FALSE(parse_flat_json(R"({"step": 3, "loss": )", kv));
  EXPECT_FALSE(parse_flat_json(R"({"step": [1]})", kv));
  EXPECT_FALSE(parse_flat_json(R"({"step": 1} trailing)", kv));
}

TEST(ReportTrainingLog, ResumedRunKeepsTheLastLineOfEveryStepAndSumsWallTime) {
  TempDir dir;
  const std::string path = dir / "train_log.jsonl";
  std::ofstream(path)
      // First process: steps 1-4, validation at 2 and 4, killed after step 4.
      << R"({"step": 1, "loss": 4.0, "patches": 64, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 10})" "\n"
      << R"({"step": 2, "loss": 3.0, "patches": 64, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 20})" "\n"
      << R"({"step": 2, "val_loss": 3.5, "val_location_error": 12.0, "val_chance_error": 25.0, "wall_seconds": 22, "best": true})" "\n"
      << R"({"step": 3, "loss": 2.5, "patches": 64, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 30})" "\n"
      << R"({"step": 4, "loss": 2.2, "patches": 64, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 40})" "\n"
      << R"({"step": 4, "val_loss": 3.1, "val_location_error": 10.0, "val_chance_error": 25.0, "wall_seconds": 42, "best": true})" "\n"
      // Resumed from the checkpoint at step 2: steps 3-5 again, wall time restarts.
      << R"({"step": 3, "loss": 2.4, "patches": 64, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 5})" "\n"
      << R"({"step": 4, "loss": 2.1, "patches": 64, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 15})" "\n"
      << R"({"step": 4, "val_loss": 3.0, "val_location_error": 9.0, "val_chance_error": 25.0, "wall_seconds": 17, "best": true})" "\n"
      << "\n"
      << R"({"step": 5, "loss": 2.0, "patches": 64, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 25})" "\n"
      << R"({"step": 6, "loss": 1.9, "patc)";  // cut short by a crash
  size_t skipped = 0;
  const TrainingSeries s = read_training_log(path, &skipped);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(s.error_key, "location_error");
  EXPECT_EQ(s.step, (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_EQ(s.loss, (std::vector<double>{4.0, 3.0, 2.4, 2.1, 2.0}));
  // The second process's wall time continues from the first one's last value (42 s).
  EXPECT_EQ(s.wall, (std::vector<double>{10, 20, 47, 57, 67}));
  EXPECT_EQ(s.val_step, (std::vector<double>{2, 4}));
  EXPECT_EQ(s.val_loss, (std::vector<double>{3.5, 3.0}));
  EXPECT_EQ(s.val_error, (std::vector<double>{12.0, 9.0}));
  EXPECT_EQ(s.val_chance, (std::vector<double>{25.0, 25.0}));
  EXPECT_EQ(s.val_wall, (std::vector<double>{22, 59}));
}

TEST(ReportTrainingLog, AutoencoderErrorKeyAndMissingFile) {
  TempDir dir;
  const std::string path = dir / "ae.jsonl";
  std::ofstream(path) << R"({"step": 1, "loss": 0.5, "slices": 8, "seconds": 1, "allreduce_seconds": 0, "lr": 0.001, "wall_seconds": 1})" "\n"
                      << R"({"step": 1, "val_loss": 0.4, "val_residual": 0.03, "val_chance_error": 0.1, "wall_seconds": 2, "best": false})" "\n";
  const TrainingSeries s = read_training_log(path);
  EXPECT_EQ(s.error_key, "residual");
  ASSERT_EQ(s.val_error.size(), 1u);
  EXPECT_DOUBLE_EQ(s.val_error[0], 0.03);
  EXPECT_THROW(read_training_log(dir / "missing.jsonl"), std::runtime_error);
}
