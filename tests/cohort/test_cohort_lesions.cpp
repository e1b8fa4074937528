// Lesion and subject properties of the synthetic cohort, on a coarse grid so each case runs in
// about a second.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cohort/SubjectSynthesizer.hpp"
#include "config/CohortConfig.hpp"

using namespace p2l;

namespace {

constexpr double kVoxel = 3.0;
const double kPi = 3.14159265358979;

const TissueModel& model() {
  static const TissueModel m = TissueModel::load(CohortConfig{}.template_dir, kVoxel);
  return m;
}

SyntheticSubject make(LesionKind kind, uint64_t seed, CohortConfig cfg = {}) {
  cfg.voxel_mm = kVoxel;
  return synthesize_subject(model(), cfg, kind, seed);
}

size_t lesion_voxels(const SyntheticSubject& s, int label = -1) {
  size_t n = 0;
  for (uint8_t v : s.seg.data) n += label < 0 ? v != 0 : v == label;
  return n;
}

double equivalent_radius(size_t voxels) { return std::cbrt(3.0 * voxels * std::pow(kVoxel, 3) / (4 * kPi)); }

// Mean of `img` over lesion voxels, and over normal brain voxels within `ring` mm of the lesion.
std::pair<double, double> lesion_vs_surround(const SyntheticSubject& s, const FloatVolume& img, double ring) {
  const auto& n = s.seg.geom.size;
  const int r = int(std::ceil(ring / kVoxel));
  double a = 0, b = 0;
  size_t na = 0, nb = 0;
  for (size_t k = 0; k < n[2]; ++k)
    for (size_t j = 0; j < n[1]; ++j)
      for (size_t i = 0; i < n[0]; ++i) {
        size_t idx = s.seg.index(i, j, k);
        if (!s.mask.data[idx]) continue;
        if (s.seg.data[idx]) {
          a += img.data[idx], ++na;
          continue;
        }
        bool near = false;
        for (int dk = -r; dk <= r && !near; ++dk)
          for (int dj = -r; dj <= r && !near; ++dj)
            for (int di = -r; di <= r && !near; ++di) {
              long x = long(i) + di, y = long(j) + dj, z = long(k) + dk;
              if (x >= 0 && y >= 0 && z >= 0 && x < long(n[0]) && y < long(n[1]) && z < long(n[2]))
                near = s.seg.at(x, y, z) != 0;
            }
        if (near) b += img.data[idx], ++nb;
      }
  return {na ? a / na : 0, nb ? b / nb : 0};
}

double correlation(const FloatVolume& a, const FloatVolume& b) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  const double n = double(a.data.size());
  for (size_t i = 0; i < a.data.size(); ++i) {
    sa += a.data[i], sb += b.data[i], saa += a.data[i] * a.data[i], sbb += b.data[i] * b.data[i];
    sab += a.data[i] * b.data[i];
  }
  return (sab - sa * sb / n) / std::sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
}

}  // namespace

TEST(CohortModel, Colin27TissueModelIsBrainLike) {
  const TissueModel& m = model();
  EXPECT_LT(m.class_mean[kCsf], m.class_mean[kGm]);
  EXPECT_LT(m.class_mean[kGm], m.class_mean[kWm]);
  EXPECT_GT(m.brain_volume_ml, 1100);  // an adult brain (Colin27 includes the cerebellum)
  EXPECT_LT(m.brain_volume_ml, 1900);
  EXPECT_GT(m.ventricle_volume_ml, 5);
  EXPECT_LT(m.ventricle_volume_ml, 80);
}

TEST(CohortLesions, SegmentationsLieInsideTheBrainMask) {
  for (LesionKind k : {LesionKind::kTumor, LesionKind::kMs, LesionKind::kStroke, LesionKind::kWmh}) {
    SyntheticSubject s = make(k, 11);
    ASSERT_GT(lesion_voxels(s), 0u) << int(k);
    for (size_t i = 0; i < s.seg.data.size(); ++i)
      if (s.seg.data[i]) ASSERT_TRUE(s.mask.data[i]) << "lesion kind " << int(k) << " voxel " << i;
    for (size_t i = 0; i < s.t1.data.size(); ++i)
      if (!s.mask.data[i]) ASSERT_EQ(s.t1.data[i], 0.f) << "skull-stripped: zero outside the mask";
  }
}

TEST(CohortLesions, TumourSizeFollowsConfiguredRange) {
  CohortConfig cfg;
  cfg.tumor_radius_mm = {15, 16};
  cfg.tumor_edema_mm = 0.1;  // core only, so the equivalent radius is the core radius
  for (uint64_t seed : {1, 2, 3}) {
    SyntheticSubject s = make(LesionKind::kTumor, seed, cfg);
    double r = equivalent_radius(lesion_voxels(s));
    EXPECT_GT(r, 15 * 0.8) << seed;
    EXPECT_LT(r, 16 * 1.2) << seed;
    EXPECT_GT(lesion_voxels(s, 1), 0u) << "necrotic core";
    EXPECT_GT(lesion_voxels(s, 4), 0u) << "enhancing rim";
  }
  cfg.tumor_radius_mm = {8, 9};
  double small = equivalent_radius(lesion_voxels(make(LesionKind::kTumor, 1, cfg)));
  EXPECT_LT(small, 9 * 1.25);
  EXPECT_GT(small, 8 * 0.7);
}

TEST(CohortLesions, MsCountAndSizeInRange) {
  CohortConfig cfg;
  cfg.ms_count = {5, 9};
  cfg.ms_radius_mm = {3, 4};
  for (uint64_t seed : {4, 5, 6}) {
    SyntheticSubject s = make(LesionKind::kMs, seed, cfg);
    EXPECT_GE(s.lesions.count(), 5);
    EXPECT_LE(s.lesions.count(), 9);
    // Total volume at most that of count balls of the largest radius (overlaps only shrink it).
    double ml = lesion_voxels(s) * std::pow(kVoxel, 3);
    EXPECT_GT(ml, 0);
    EXPECT_LE(ml, s.lesions.count() * 4.0 / 3.0 * kPi * std::pow(4 + kVoxel, 3));
  }
}

TEST(CohortLesions, T2ContrastDirectionPerLesionType) {
  for (LesionKind k : {LesionKind::kTumor, LesionKind::kMs, LesionKind::kStroke, LesionKind::kWmh}) {
    SyntheticSubject s = make(k, 21);
    auto [lesion, around] = lesion_vs_surround(s, s.t2, 6.0);
    EXPECT_GT(lesion, around * 1.05) << "T2-bright, kind " << int(k);
  }
}

TEST(CohortLesions, T1ContrastDirectionForStrokeAndTumour) {
  for (LesionKind k : {LesionKind::kTumor, LesionKind::kStroke}) {
    SyntheticSubject s = make(k, 22);
    auto [lesion, around] = lesion_vs_surround(s, s.t1, 6.0);
    EXPECT_LT(lesion, around * 0.95) << "T1-dark, kind " << int(k);
  }
}

TEST(CohortLesions, TumourMassEffectPushesTissueOutwards) {
  // Same subject with and without the tumour. The mass effect pushes tissue outwards without
  // removing any, so the brain outline moves out: the brain grows by about the volume the
  // tumour inserted, (4/3) pi (R^3 - (R - push)^3), and it grows nearest the tumour.
  CohortConfig cfg;
  cfg.tumor_radius_mm = {14, 14.5};
  cfg.tumor_edema_mm = 0.1;
  cfg.tumor_mass_effect_mm = 10;
  SyntheticSubject healthy = make(LesionKind::kNone, 33, cfg), tumour = make(LesionKind::kTumor, 33, cfg);
  const double R = tumour.lesions.tumour_radius();
  const double inserted_ml = 4.0 / 3.0 * kPi * (std::pow(R, 3) - std::pow(R - 10, 3)) / 1000;
  long grown = 0;
  for (size_t i = 0; i < tumour.mask.data.size(); ++i) grown += long(tumour.mask.data[i]) - long(healthy.mask.data[i]);
  const double grown_ml = grown * std::pow(kVoxel, 3) / 1000;
  EXPECT_GT(grown_ml, 0.4 * inserted_ml);
  EXPECT_LT(grown_ml, 1.6 * inserted_ml);
  // Without mass effect the outline stays where it was.
  cfg.tumor_mass_effect_mm = 0;
  SyntheticSubject flat = make(LesionKind::kTumor, 33, cfg);
  EXPECT_EQ(flat.mask.data, healthy.mask.data);
}

TEST(CohortSubjects, HealthySubjectsDifferButStayBrainLike) {
  SyntheticSubject a = make(LesionKind::kNone, 101), b = make(LesionKind::kNone, 102);
  EXPECT_TRUE(a.seg.data.empty());
  const double r = correlation(a.t1, b.t1);
  EXPECT_GT(r, 0.7) << "same anatomy family";
  EXPECT_LT(r, 0.99) << "different people";
  size_t na = 0, nb = 0, diff = 0;
  for (size_t i = 0; i < a.mask.data.size(); ++i) na += a.mask.data[i], nb += b.mask.data[i], diff += a.mask.data[i] != b.mask.data[i];
  EXPECT_GT(diff, 0u);
  const double ml = na * std::pow(kVoxel, 3) / 1000;
  EXPECT_GT(ml, 1000);
  EXPECT_LT(ml, 2000);
  // T1: white matter brighter than CSF; T2 the other way round: mean T2 over the darkest T1
  // decile exceeds mean T2 over the brightest T1 decile.
  std::vector<std::pair<float, float>> v;
  for (size_t i = 0; i < a.t1.data.size(); ++i)
    if (a.mask.data[i]) v.push_back({a.t1.data[i], a.t2.data[i]});
  std::sort(v.begin(), v.end());
  double dark = 0, bright = 0;
  const size_t tenth = v.size() / 10;
  for (size_t i = 0; i < tenth; ++i) dark += v[i].second, bright += v[v.size() - 1 - i].second;
  EXPECT_GT(dark, bright * 1.5);
}
