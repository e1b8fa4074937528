// Each preprocessing step on tiny hand-made volumes with answers computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "preprocess/CropOrPad.hpp"
#include "preprocess/HistogramStandardizer.hpp"
#include "preprocess/InPlaneDownsampler.hpp"
#include "preprocess/IntensityScaling.hpp"
#include "preprocess/SubjectPartition.hpp"
#include "preprocess/SubjectPipeline.hpp"

namespace p2l {
namespace {

Geometry grid(size_t x, size_t y, size_t z) {
  Geometry g;
  g.size = {x, y, z};
  g.spacing = {2.0, 3.0, 4.0};
  g.origin = {10.0, 20.0, 30.0};
  return g;
}

// Physical position of voxel (i, j, k).
std::array<double, 3> point(const Geometry& g, double i, double j, double k) {
  std::array<double, 3> idx = {i, j, k}, p = g.origin;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) p[r] += g.direction[r * 3 + c] * g.spacing[c] * idx[c];
  return p;
}

FloatVolume ramp(const Geometry& g) {  // value encodes the index: 100 i + 10 j + k
  FloatVolume v(g);
  for (size_t k = 0; k < g.size[2]; ++k)
    for (size_t j = 0; j < g.size[1]; ++j)
      for (size_t i = 0; i < g.size[0]; ++i) v.at(i, j, k) = float(100 * i + 10 * j + k);
  return v;
}

TEST(PreprocessCrop, CentredOffsetsPutTheOddVoxelAtTheEnd) {
  EXPECT_EQ(centred_offset({7, 8, 4}, {4, 4, 4}), (std::array<long, 3>{1, 2, 0}));
  EXPECT_EQ(centred_offset({5, 4, 4}, {8, 7, 4}), (std::array<long, 3>{-1, -1, 0}));
}

TEST(PreprocessCrop, CropKeepsVoxelsAndTheirPhysicalPosition) {
  Geometry g = grid(7, 8, 3);
  g.direction = {0, -1, 0, 1, 0, 0, 0, 0, 1};  // rotated axes: the origin shift must follow them
  FloatVolume in = ramp(g);
  FloatVolume out = crop_or_pad(in, {4, 4, 3});
  ASSERT_EQ(out.geom.size, (std::array<size_t, 3>{4, 4, 3}));
  EXPECT_FLOAT_EQ(out.at(0, 0, 0), 100 * 1 + 10 * 2 + 0);
  EXPECT_FLOAT_EQ(out.at(3, 3, 2), 100 * 4 + 10 * 5 + 2);
  for (int d = 0; d < 3; ++d) {
    EXPECT_NEAR(point(out.geom, 0, 0, 0)[d], point(g, 1, 2, 0)[d], 1e-9);
    EXPECT_NEAR(point(out.geom, 3, 1, 2)[d], point(g, 4, 3, 2)[d], 1e-9);
  }
}

TEST(PreprocessCrop, PadFillsZerosAndShiftsOriginBack) {
  Geometry g = grid(2, 3, 1);
  LabelVolume in(g, 1);
  LabelVolume out = crop_or_pad(in, {5, 3, 2});
  ASSERT_EQ(out.geom.size, (std::array<size_t, 3>{5, 3, 2}));
  // offset (-1, 0, 0): input voxel i lands at i + 1; k = 1 is padding.
  int ones = 0;
  for (auto v : out.data) ones += v;
  EXPECT_EQ(ones, 6);
  EXPECT_EQ(out.at(0, 0, 0), 0);
  EXPECT_EQ(out.at(1, 0, 0), 1);
  EXPECT_EQ(out.at(2, 2, 0), 1);
  EXPECT_EQ(out.at(3, 0, 0), 0);
  EXPECT_EQ(out.at(1, 0, 1), 0);
  EXPECT_DOUBLE_EQ(out.geom.origin[0], 10.0 - 2.0);
  EXPECT_DOUBLE_EQ(out.geom.origin[1], 20.0);
}

TEST(PreprocessIntensity, PercentilesInterpolateLikeNumpy) {
  Geometry g = grid(5, 1, 1);
  FloatVolume v(g);
  v.data = {4, 1, 3, 2, 100};
  LabelVolume m(g, 1);
  m.data[4] = 0;  // 100 is outside the brain
  auto p = percentiles_in_mask(v, m, {0, 50, 100, 10});
  EXPECT_DOUBLE_EQ(p[0], 1);
  EXPECT_DOUBLE_EQ(p[1], 2.5);
  EXPECT_DOUBLE_EQ(p[2], 4);
  EXPECT_NEAR(p[3], 1.3, 1e-12);
}

TEST(PreprocessIntensity, ClipAndRescaleMapsPercentilesToUnitRange) {
  Geometry g = grid(11, 1, 1);
  FloatVolume v(g);
  for (int i = 0; i < 11; ++i) v.data[i] = float(10 * i);  // 0..100 inside
  LabelVolume m(g, 1);
  m.data[10] = 0;  // 100 outside -> 0; inside values 0..90
  clip_and_rescale(v, m, 10, 90);  // P10 = 9, P90 = 81
  EXPECT_FLOAT_EQ(v.data[0], 0.f);                 // below P10 clipped
  EXPECT_NEAR(v.data[5], (50 - 9) / 72.0, 1e-6);   // linear in between
  EXPECT_FLOAT_EQ(v.data[9], 1.f);                 // above P90 clipped
  EXPECT_FLOAT_EQ(v.data[10], 0.f);                // outside the mask
}

TEST(PreprocessIntensity, EmptyMaskThrows) {
  Geometry g = grid(3, 1, 1);
  FloatVolume v(g, 1.f);
  LabelVolume m(g, 0);
  EXPECT_THROW(clip_and_rescale(v, m, 1, 99), std::runtime_error);
}

TEST(PreprocessDownsample, BlockMeanValuesAndGeometry) {
  Geometry g = grid(5, 4, 2);  // i = 4 is a partial block and is dropped
  FloatVolume in = ramp(g);
  FloatVolume out = downsample_image(in, 2);
  ASSERT_EQ(out.geom.size, (std::array<size_t, 3>{2, 2, 2}));
  // Block (i 0..1, j 0..1, k): mean of 100 i + 10 j + k = 50 + 5 + k.
  EXPECT_FLOAT_EQ(out.at(0, 0, 1), 56.f);
  EXPECT_FLOAT_EQ(out.at(1, 1, 0), 250.f + 25.f);  // i 2..3, j 2..3
  EXPECT_DOUBLE_EQ(out.geom.spacing[0], 4.0);
  EXPECT_DOUBLE_EQ(out.geom.spacing[1], 6.0);
  EXPECT_DOUBLE_EQ(out.geom.spacing[2], 4.0);
  // New voxel 0 sits at the centre of the first block: old index (0.5, 0.5, 0).
  auto c = point(g, 0.5, 0.5, 0);
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(out.geom.origin[d], c[d], 1e-12);
}

TEST(PreprocessDownsample, LabelsNeedHalfTheBlock) {
  Geometry g = grid(4, 2, 1);
  LabelVolume in(g, 0);
  in.at(0, 0, 0) = in.at(1, 0, 0) = 1;  // block 0: 2 of 4 -> 1
  in.at(2, 0, 0) = 1;                   // block 1: 1 of 4 -> 0
  LabelVolume out = downsample_label(in, 2);
  EXPECT_EQ(out.at(0, 0, 0), 1);
  EXPECT_EQ(out.at(1, 0, 0), 0);
}

TEST(PreprocessHistogram, StandardLandmarksAreMeanOfRescaledLandmarks) {
  auto s = learn_standard_landmarks({{0, 10, 100}, {10, 30, 60}});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0], 0);
  EXPECT_DOUBLE_EQ(s[1], (10.0 + 40.0) / 2);
  EXPECT_DOUBLE_EQ(s[2], 100);
  EXPECT_THROW(learn_standard_landmarks({{5, 5, 5}}), std::runtime_error);
}

TEST(PreprocessHistogram, ApplyMapsLandmarksOntoStandardAndExtrapolates) {
  Geometry g = grid(5, 1, 1);
  FloatVolume v(g);
  v.data = {10, 20, 40, 15, 50};
  apply_standardization(v, {10, 20, 40}, {0, 50, 100});
  EXPECT_FLOAT_EQ(v.data[0], 0);
  EXPECT_FLOAT_EQ(v.data[1], 50);
  EXPECT_FLOAT_EQ(v.data[2], 100);
  EXPECT_FLOAT_EQ(v.data[3], 25);   // halfway in the first segment
  EXPECT_FLOAT_EQ(v.data[4], 125);  // beyond the last landmark: last segment's slope
  EXPECT_THROW(apply_standardization(v, {1, 1, 2}, {0, 50, 100}), std::runtime_error);
}

TEST(PreprocessPartition, GreedyLargestFirstBalancesCost) {
  auto owner = partition_by_cost({5, 9, 4, 3, 3}, 2);
  // 9 -> r0; 5 -> r1; 4 -> r1 (9 vs 9); the first 3 -> r0 (tie: lower rank); the last 3 -> r1.
  EXPECT_EQ(owner, (std::vector<int>{1, 0, 1, 0, 1}));
  long load[2] = {0, 0};
  std::vector<uint64_t> c = {5, 9, 4, 3, 3};
  for (size_t i = 0; i < c.size(); ++i) load[owner[i]] += c[i];
  EXPECT_EQ(load[0], 12);
  EXPECT_EQ(load[1], 12);
}

TEST(PreprocessPipeline, ModalityPathSwapsFolderAndSuffix) {
  EXPECT_EQ(modality_image_path("/d/Train/ixi/t2/IXI1_t2.nii.gz", Modality::kT1), "/d/Train/ixi/t1/IXI1_t1.nii.gz");
  EXPECT_EQ(modality_image_path("/d/Train/ixi/t2/IXI1_t2.nii.gz", Modality::kT2), "/d/Train/ixi/t2/IXI1_t2.nii.gz");
  EXPECT_EQ(modality_image_path("/d/Test/x/t1/A_t1.nii", Modality::kT2), "/d/Test/x/t2/A_t2.nii");
}

TEST(PreprocessPipeline, FinishSubjectCropsScalesAndDownsamples) {
  Geometry g = grid(10, 10, 3);
  SubjectInputs in;
  in.image = ramp(g);
  in.mask = LabelVolume(g, 1);
  in.seg = LabelVolume(g, 0);
  // Input (5..6, 5..6, 1) -> cropped (4..5) = one full coarse block (2, 2) at slice 1.
  in.seg.at(5, 5, 1) = in.seg.at(6, 5, 1) = in.seg.at(5, 6, 1) = in.seg.at(6, 6, 1) = 1;
  // Input (1..2, 1, 0) -> cropped (0..1, 0): half of coarse block (0, 0) -> 1.
  in.seg.at(1, 1, 0) = in.seg.at(2, 1, 0) = 1;
  // Input (7, 1, 0) -> cropped (6, 0): a quarter of coarse block (3, 0) -> 0.
  in.seg.at(7, 1, 0) = 1;
  PreprocessConfig pc;
  pc.image_dim = {8, 8, 3};
  pc.rescale_factor = 2;
  pc.clip_percentiles = {0, 100};
  SubjectProvenance prov;
  SubjectSlices s = finish_subject(in, pc, {}, prov);
  EXPECT_EQ(s.height, 4);
  EXPECT_EQ(s.width, 4);
  EXPECT_EQ(s.depth, 3);
  EXPECT_EQ(prov.crop_offset, (std::array<long, 3>{1, 1, 0}));
  EXPECT_EQ(s.source_geom.size, (std::array<size_t, 3>{10, 10, 3}));
  // Cropped range inside the mask: min 110 (1,1,0), max 882 (8,8,2). Block (0,0,z=0) holds
  // i, j in 1..2: mean 165 -> (165 - 110) / 772.
  EXPECT_NEAR(s.image_slice(0)[0], 55.0 / 772.0, 1e-6);
  int lesion = 0;
  for (auto v : s.seg) lesion += v;
  EXPECT_EQ(lesion, 2);
  EXPECT_EQ(s.seg[1 * 16 + 2 * 4 + 2], 1);  // [z][h][w]
  EXPECT_EQ(s.seg[0 * 16 + 0 * 4 + 0], 1);
  // Stored grid overlays the input: coarse voxel (0,0,0) is the centre of input (1..2, 1..2, 0).
  auto c = point(g, 1.5, 1.5, 0);
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(s.geom.origin[d], c[d], 1e-9);
}

}  // namespace
}  // namespace p2l
