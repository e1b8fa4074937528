#include <gtest/gtest.h>

#include <cmath>

#include "report/Figures.hpp"
#include "report/MarkdownTable.hpp"

using namespace p2l;

TEST(EvalFigures, OverlayPanelsColoursAndOutline) {
  // 4 x 3 slice (H = 4 rows h, W = 3 columns w), scale 2; shown with x = h, y = W - 1 - w.
  const int H = 4, W = 3;
  std::vector<float> slice(H * W, 0.5f), heat(H * W, 12.0f);
  std::vector<uint8_t> mask(H * W, 1), seg(H * W, 0);
  mask[0] = 0;        // (h 0, w 0) outside the brain: black heatmap pixel
  seg[1 * W + 1] = 1;  // one lesion voxel at (h 1, w 1): its own outline
  RgbImage img = overlay_row(slice.data(), heat.data(), mask.data(), seg.data(), H, W, 12.0, 2, "T");
  const int pw = H * 2, gap = 4, top = 12;
  EXPECT_EQ(img.width, 3 * pw + 2 * gap);
  EXPECT_EQ(img.height, W * 2 + top);
  auto at = [&](int panel, int h, int w) { return img.get(panel * (pw + gap) + h * 2, top + (W - 1 - w) * 2); };
  EXPECT_EQ(at(0, 2, 2).r, gray(0.5).r);
  const Rgb hot = jet(1.0), off = at(1, 0, 0), in = at(1, 2, 1);
  EXPECT_EQ(off.r + off.g + off.b, 0);
  EXPECT_EQ(in.r, hot.r);
  EXPECT_EQ(in.b, hot.b);
  EXPECT_EQ(at(2, 1, 1).r, 255);  // the outline
  EXPECT_EQ(at(2, 1, 1).g, 0);
  EXPECT_EQ(at(2, 2, 1).g, gray(0.5).g);  // no outline elsewhere
}

TEST(EvalFigures, KdePeaksWhereThePointsAre) {
  ScatterGroup g{"A", {}, {}, 0.5}, far{"B", {}, {}, 0.0};
  for (int i = 0; i < 100; ++i) {
    g.x.push_back(1.0 + 0.02 * (i % 5)), g.y.push_back(5.0 - 0.02 * (i % 7));
    far.x.push_back(9.0 - 0.02 * (i % 5)), far.y.push_back(0.0 + 0.02 * (i % 7));
  }
  RgbImage img = kde_figure({g, far}, "X", "Y", 50);  // axes about 1..9 and 0..5
  EXPECT_EQ(img.width, 2 * (50 + 8) + 8);
  // Group A sits at the low-x / high-y corner (top left of its panel): the top of the jet scale
  // (dark red) there, its bottom (dark blue) in the far corner.
  const Rgb peak = img.get(8, 24), empty = img.get(8 + 47, 24 + 47);
  EXPECT_GE(peak.r, 128);
  EXPECT_EQ(peak.b, 0);
  EXPECT_EQ(empty.r, 0);
  EXPECT_EQ(empty.b, jet(0.0).b);
}

TEST(EvalFigures, MarkdownTableEscapesAndFormats) {
  MarkdownTable t{{"Method", "Dice"}, {{"a|b", mean_pm_std(0.5, 0.25, 3, 4)}}};
  EXPECT_EQ(t.render(), "| Method | Dice |\n| --- | ---: |\n| a\\|b | 0.500 ± 0.250 (3/4) |\n");
  EXPECT_EQ(mean_pm_std(NAN, NAN, 0, 2), "n/a");
}
