// extract_patches on a hand-made slice: exact pixels inside, at the zero-padded edge and under
// the mask; brain fractions; even and odd patch sides.
#include <gtest/gtest.h>

#include "model/PatchExtractor.hpp"

using namespace p2l;

namespace {

// Two 5x6 slices: slice s has value 100 s + 10 h + w at (h, w); the mask of slice 0 removes
// column 0, slice 1 is all brain.
struct Fixture {
  torch::Tensor slices = torch::empty({2, 5, 6});
  torch::Tensor masks = torch::ones({2, 5, 6}, torch::kUInt8);
  Fixture() {
    for (int s = 0; s < 2; ++s)
      for (int h = 0; h < 5; ++h)
        for (int w = 0; w < 6; ++w) slices[s][h][w] = 100 * s + 10 * h + w;
    masks[0].select(1, 0).fill_(0);
  }
};

torch::Tensor longs(std::vector<int64_t> v) { return torch::tensor(v, torch::kLong); }

}  // namespace

TEST(ModelPatchExtractor, EvenSideInterior) {
  Fixture f;
  // p = 2 centred at (2, 3): rows 1..2, columns 2..3.
  auto set = extract_patches(f.slices, f.masks, longs({1}), longs({2}), longs({3}), 2);
  ASSERT_EQ(set.patches.sizes(), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(set.patches[0][0][0][0].item<float>(), 112);
  EXPECT_EQ(set.patches[0][0][0][1].item<float>(), 113);
  EXPECT_EQ(set.patches[0][0][1][0].item<float>(), 122);
  EXPECT_EQ(set.patches[0][0][1][1].item<float>(), 123);
  EXPECT_FLOAT_EQ(set.brain_fraction[0].item<float>(), 1.0f);
}

TEST(ModelPatchExtractor, OddSideAtCornerIsZeroPadded) {
  Fixture f;
  // p = 3 centred at (0, 5) of slice 1: rows -1..1, columns 4..6; row -1 and column 6 are padding.
  auto set = extract_patches(f.slices, f.masks, longs({1}), longs({0}), longs({5}), 3);
  auto p = set.patches[0][0];
  const float want[3][3] = {{0, 0, 0}, {104, 105, 0}, {114, 115, 0}};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(p[r][c].item<float>(), want[r][c]) << r << "," << c;
  EXPECT_FLOAT_EQ(set.brain_fraction[0].item<float>(), 4.0f / 9.0f);
}

TEST(ModelPatchExtractor, MaskedPixelsAreZeroAndCountAsOutside) {
  Fixture f;
  // p = 4 centred at (2, 1) of slice 0: rows 0..3, columns -1..2; column -1 is padding and
  // column 0 is outside the mask, so 8 of 16 pixels are brain.
  auto set = extract_patches(f.slices, f.masks, longs({0}), longs({2}), longs({1}), 4);
  auto p = set.patches[0][0];
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(p[r][0].item<float>(), 0) << r;                  // padding
    EXPECT_EQ(p[r][1].item<float>(), 0) << r;                  // masked out
    EXPECT_EQ(p[r][2].item<float>(), 10 * r + 1) << r;          // (h=r, w=1)
    EXPECT_EQ(p[r][3].item<float>(), 10 * r + 2) << r;
  }
  EXPECT_FLOAT_EQ(set.brain_fraction[0].item<float>(), 0.5f);
  // A float mask gives the same result, and the screening helper agrees.
  auto again = extract_patches(f.slices, f.masks.to(torch::kFloat32), longs({0}), longs({2}), longs({1}), 4);
  EXPECT_TRUE(torch::equal(again.patches, set.patches));
  EXPECT_FLOAT_EQ(patch_brain_fraction(f.masks, longs({0}), longs({2}), longs({1}), 4)[0].item<float>(), 0.5f);
}

TEST(ModelPatchExtractor, BatchMixesSlicesAndKeepsOrder) {
  Fixture f;
  auto set = extract_patches(f.slices, f.masks, longs({0, 1, 0}), longs({4, 4, 2}),
                             longs({0, 0, 3}), 1);
  ASSERT_EQ(set.patches.sizes(), (std::vector<int64_t>{3, 1, 1, 1}));
  EXPECT_EQ(set.patches[0].item<float>(), 0);    // masked column 0 of slice 0
  EXPECT_EQ(set.patches[1].item<float>(), 140);  // slice 1, (4, 0)
  EXPECT_EQ(set.patches[2].item<float>(), 23);
  EXPECT_FLOAT_EQ(set.brain_fraction[0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(set.brain_fraction[1].item<float>(), 1.0f);
}

TEST(ModelPatchExtractor, PatchSide) {
  EXPECT_EQ(patch_side(0.125, 192), 24);
  EXPECT_EQ(patch_side(0.125, 96), 12);
  EXPECT_EQ(patch_side(0.125, 100), 12);   // floor(12.5)
  EXPECT_EQ(patch_side(0.29, 100), 29);    // 0.29 * 100 is 28.999... in binary
  EXPECT_EQ(patch_side(0.01, 50), 1);      // at least one pixel
}
