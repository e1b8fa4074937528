#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "report/PngImage.hpp"

using namespace p2l;

TEST(ReportPng, ColourMapEndpoints) {
  EXPECT_EQ(gray(0).r, 0);
  EXPECT_EQ(gray(1).g, 255);
  EXPECT_EQ(gray(2).b, 255);  // clamped
  EXPECT_EQ(gray(0.5).r, 128);
  Rgb lo = jet(0), hi = jet(1), mid = jet(0.5);
  EXPECT_EQ(lo.r, 0);
  EXPECT_EQ(lo.g, 0);
  EXPECT_EQ(lo.b, 128);  // dark blue
  EXPECT_EQ(hi.r, 128);  // dark red
  EXPECT_EQ(hi.g, 0);
  EXPECT_EQ(hi.b, 0);
  EXPECT_GT(mid.g, 200);  // green-ish in the middle
  EXPECT_EQ(jet(-1).b, lo.b);
}

TEST(ReportPng, WriteReadRoundTrip) {
  const auto path = std::filesystem::temp_directory_path() / "test_report_png_roundtrip.png";
  RgbImage img(7, 5, {10, 20, 30});
  img.set(0, 0, {255, 0, 0});
  img.set(6, 4, {0, 255, 1});
  write_png(path.string(), img);
  RgbImage back = read_png(path.string());
  ASSERT_EQ(back.width, 7);
  ASSERT_EQ(back.height, 5);
  EXPECT_EQ(back.pixels, img.pixels);
  std::filesystem::remove(path);
}

TEST(ReportPng, ReadRejectsNonPng) {
  const auto path = std::filesystem::temp_directory_path() / "test_report_png_bad.png";
  std::ofstream(path) << "not a png";
  try {
    read_png(path.string());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
  }
  std::filesystem::remove(path);
  EXPECT_THROW(read_png(path.string()), std::runtime_error);
}

TEST(ReportPng, DrawTextAndPaste) {
  RgbImage img(40, 10);
  draw_text(img, 0, 0, "1", {255, 255, 255});
  // Glyph '1': the middle column is set on rows 0..6, the corner column is empty on row 0.
  EXPECT_EQ(img.get(2, 3).r, 255);
  EXPECT_EQ(img.get(0, 0).r, 0);
  RgbImage big(40, 20);
  draw_text(big, 0, 0, "1", {255, 255, 255}, 2);
  EXPECT_EQ(big.get(4, 6).r, 255);
  EXPECT_EQ(big.get(5, 7).r, 255);
  RgbImage dst(4, 4), src(3, 3, {9, 9, 9});
  dst.paste(src, 2, 2);  // clipped
  EXPECT_EQ(dst.get(3, 3).r, 9);
  EXPECT_EQ(dst.get(1, 1).r, 0);
}
