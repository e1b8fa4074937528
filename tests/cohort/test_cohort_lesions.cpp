// Lesion and subject properties of the synthetic cohort, on a coarse grid so each case runs in
// about a second.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "cohort/LesionModel.hpp"
#include "cohort/SubjectSynthesizer.hpp"
#include "config/CohortConfig.hpp"
#include "support/ErrorOf.hpp"

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

TEST(CohortLesions, SetNamesAreTheLesionKindIds) {
  EXPECT_EQ(lesion_kinds().ids(), (std::vector<std::string>{"tumor", "ms", "stroke", "wmh", "heterotopia"}));
  for (const auto& id : lesion_kinds().ids()) EXPECT_EQ(lesion_kinds().id(lesion_kind(id)), id);
  EXPECT_EQ(lesion_kind(""), LesionKind::kNone);  // a healthy subject
  EXPECT_EQ(p2l::testing::error_of([] { lesion_kind("glioma"); }), "cohort.lesion_sets: unknown value 'glioma' (expected tumor, ms, stroke, wmh, heterotopia)");
}

TEST(CohortLesions, SegmentationsLieInsideTheBrainMask) {
  for (LesionKind k : {LesionKind::kTumor, LesionKind::kMs, LesionKind::kStroke, LesionKind::kWmh,
                       LesionKind::kHeterotopia}) {
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

// ---- Grey-matter heterotopia -------------------------------------------------------------
// With the warp switched off, subject voxel (i, j, k) is template point model().position(i, j, k),
// so every voxel can be checked against the template tissue model directly.

namespace {

CohortConfig rigid(CohortConfig cfg = {}) {
  cfg.deformation_mm = 0;
  cfg.affine_rotation_deg = 0;
  cfg.affine_scale = 0;
  cfg.affine_shift_mm = 0;
  return cfg;
}

double dist(const Vec3& a, const Vec3& b) { return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]); }

// Model voxel of a template point (nodule centres lie on model voxels).
size_t model_voxel(const Vec3& u) {
  const TissueModel& m = model();
  size_t idx[3];
  for (int d = 0; d < 3; ++d) idx[d] = size_t(std::lround((u[d] - m.lo[d]) / m.voxel_mm));
  return m.t1.index(idx[0], idx[1], idx[2]);
}

Vec3 voxel_position(size_t s) {
  const auto& n = model().geom.size;
  return model().position(s % n[0], (s / n[0]) % n[1], s / (n[0] * n[1]));
}

// Distance from `u` to the nearest nodule's surface (negative inside).
double to_nearest_nodule(const LesionPlan& plan, const Vec3& u) {
  double best = 1e9;
  for (const auto& n : plan.nodules()) best = std::min(best, dist(u, n.centre) - n.radius);
  return best;
}

double percentile(std::vector<float> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[size_t(q / 100 * (v.size() - 1))];
}

}  // namespace

TEST(CohortHeterotopia, NodulesLieInWhiteMatterNextToTheVentriclesOrSubcortical) {
  const TissueModel& m = model();
  const CohortConfig cfg = rigid();
  auto superior = [&](const Vec3& u) { return (u[2] - m.ventricle_centre[2]) * m.superior_sign; };
  int peri = 0, sub = 0;
  size_t painted = 0;
  for (uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    SyntheticSubject s = make(LesionKind::kHeterotopia, seed, cfg);
    const auto& nod = s.lesions.nodules();
    ASSERT_FALSE(nod.empty());
    for (size_t l = 0; l < nod.size(); ++l) {
      const auto& n = nod[l];
      const size_t c = model_voxel(n.centre);
      EXPECT_EQ(m.classify(m.t1.data[c]), kWm) << "seed " << seed << " nodule " << l << ": centre in white matter";
      EXPECT_GT(m.brain.data[c], 0.9);
      EXPECT_GE(superior(n.centre), cfg.heterotopia_min_level_mm) << "at the level of the lateral ventricles or above";
      const double vd = m.ventricle_dist.data[c], depth = m.depth.data[c];
      if (n.periventricular) {
        ++peri;
        EXPECT_GE(vd, 0.5) << "seed " << seed << " nodule " << l;
        EXPECT_LE(vd, 6.0) << "seed " << seed << " nodule " << l;
      } else {
        ++sub;
        EXPECT_GE(depth, 6.0) << "seed " << seed << " nodule " << l;
        EXPECT_LE(depth, 20.0) << "seed " << seed << " nodule " << l;
        EXPECT_GT(vd, 6.0) << "subcortical: away from the ventricular wall";
      }
    }
    for (size_t i = 0; i < s.seg.data.size(); ++i) {
      if (!s.seg.data[i]) continue;
      ++painted;
      ASSERT_EQ(s.seg.data[i], 1) << "heterotopia label";
      ASSERT_TRUE(s.mask.data[i]) << "seed " << seed << " voxel " << i << " outside the brain mask";
      EXPECT_EQ(m.classify(m.t1.data[i]), kWm) << "seed " << seed << " voxel " << i << ": painted over white matter only";
      EXPECT_GE(m.ventricle_dist.data[i], 0.5) << "never inside the ventricles";
      EXPECT_LE(to_nearest_nodule(s.lesions, voxel_position(i)), 1e-6) << "seed " << seed << " voxel " << i;
    }
  }
  EXPECT_GT(painted, 20u);
  // Default: 70% periventricular, 30% subcortical; both occur over six subjects.
  EXPECT_GT(peri, 0);
  EXPECT_GT(sub, 0);
  EXPECT_GT(peri, sub);

  // The placement fraction: 1 -> only periventricular nodules, 0 -> only subcortical ones.
  CohortConfig all_peri = cfg, all_sub = cfg;
  all_peri.heterotopia_periventricular_fraction = 1;
  all_sub.heterotopia_periventricular_fraction = 0;
  for (uint64_t seed : {7, 8}) {
    for (const auto& n : make(LesionKind::kHeterotopia, seed, all_peri).lesions.nodules()) EXPECT_TRUE(n.periventricular);
    for (const auto& n : make(LesionKind::kHeterotopia, seed, all_sub).lesions.nodules()) EXPECT_FALSE(n.periventricular);
  }
}

TEST(CohortHeterotopia, CountAndDiameterFollowTheConfiguredRanges) {
  CohortConfig cfg = rigid();
  cfg.heterotopia_count = {2, 5};
  cfg.heterotopia_diameter_mm = {6, 10};
  std::set<size_t> counts;
  for (uint64_t seed : {11, 12, 13, 14, 15}) {
    SyntheticSubject s = make(LesionKind::kHeterotopia, seed, cfg);
    const int n = s.lesions.count();
    EXPECT_EQ(size_t(n), s.lesions.nodules().size());
    EXPECT_GE(n, 2);
    EXPECT_LE(n, 5);
    counts.insert(size_t(n));
    double bound_ml = 0;
    for (const auto& nod : s.lesions.nodules()) {
      EXPECT_GE(2 * nod.radius, 6.0);
      EXPECT_LE(2 * nod.radius, 10.0);
      // Voxel centres within radius r lie in cubes that fit in a ball of r + half a voxel diagonal.
      bound_ml += 4.0 / 3.0 * kPi * std::pow(nod.radius + kVoxel * std::sqrt(3.0) / 2, 3);
    }
    const double ml = lesion_voxels(s) * std::pow(kVoxel, 3);
    EXPECT_GT(ml, 0) << seed;
    EXPECT_LE(ml, bound_ml) << seed;
  }
  EXPECT_GT(counts.size(), 1u) << "the count varies between subjects";

  // One fixed-size nodule: its segmentation spans at most its diameter along every axis.
  cfg.heterotopia_count = {1, 1};
  cfg.heterotopia_diameter_mm = {12, 12};
  SyntheticSubject one = make(LesionKind::kHeterotopia, 16, cfg);
  ASSERT_EQ(one.lesions.count(), 1);
  EXPECT_DOUBLE_EQ(one.lesions.nodules()[0].radius, 6.0);
  ASSERT_GT(lesion_voxels(one), 0u);
  Vec3 lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
  for (size_t i = 0; i < one.seg.data.size(); ++i)
    if (one.seg.data[i]) {
      const Vec3 u = voxel_position(i);
      for (int d = 0; d < 3; ++d) lo[d] = std::min(lo[d], u[d]), hi[d] = std::max(hi[d], u[d]);
    }
  for (int d = 0; d < 3; ++d) EXPECT_LE(hi[d] - lo[d], 12.0 + 1e-6) << "axis " << d;
}

TEST(CohortHeterotopia, ConfluentNodulesTouchThePreviousOne) {
  CohortConfig cfg = rigid();
  cfg.heterotopia_count = {4, 4};
  cfg.heterotopia_confluent_prob = 1;
  int confluent = 0;
  for (uint64_t seed : {21, 22, 23}) {
    const auto nod = make(LesionKind::kHeterotopia, seed, cfg).lesions.nodules();
    ASSERT_EQ(nod.size(), 4u);
    EXPECT_FALSE(nod[0].confluent);
    for (size_t l = 1; l < nod.size(); ++l) {
      if (!nod[l].confluent) continue;  // no room next to the previous one
      ++confluent;
      const double d = dist(nod[l].centre, nod[l - 1].centre);
      EXPECT_LE(d, nod[l].radius + nod[l - 1].radius + 1e-9) << "touching or overlapping";
      EXPECT_GE(d, std::max(nod[l].radius, nod[l - 1].radius) - 1e-9) << "not swallowed by the previous one";
      EXPECT_EQ(nod[l].periventricular, nod[l - 1].periventricular) << "same placement as the previous one";
    }
  }
  EXPECT_GE(confluent, 6) << "most of the 9 later nodules find room to be confluent";
  // Never confluent: every nodule is kept apart from the others by at least one voxel.
  cfg.heterotopia_confluent_prob = 0;
  for (uint64_t seed : {21, 22, 23}) {
    const auto nod = make(LesionKind::kHeterotopia, seed, cfg).lesions.nodules();
    for (size_t a = 0; a < nod.size(); ++a) {
      EXPECT_FALSE(nod[a].confluent);
      for (size_t b = 0; b < a; ++b)
        EXPECT_GE(dist(nod[a].centre, nod[b].centre), nod[a].radius + nod[b].radius + kVoxel - 1e-9);
    }
  }
}

TEST(CohortHeterotopia, NodulesHaveTheSubjectsOwnGreyMatterIntensity) {
  const TissueModel& m = model();
  CohortConfig cfg = rigid();
  cfg.heterotopia_count = {6, 8};
  cfg.heterotopia_diameter_mm = {9, 12};
  for (uint64_t seed : {31, 32, 33}) {
    SyntheticSubject s = make(LesionKind::kHeterotopia, seed, cfg);
    std::vector<float> gm1, gm2, wm1, wm2, core1, core2;
    for (size_t i = 0; i < s.seg.data.size(); ++i) {
      if (!s.mask.data[i]) continue;
      const double inside = -to_nearest_nodule(s.lesions, voxel_position(i));
      if (s.seg.data[i]) {
        // Full weight (no blend with the white matter around) half a voxel inside the surface.
        if (inside >= 0.5 * kVoxel) core1.push_back(s.t1.data[i]), core2.push_back(s.t2.data[i]);
      } else if (inside < -kVoxel) {
        const Tissue t = m.classify(m.t1.data[i]);
        if (t == kGm) gm1.push_back(s.t1.data[i]), gm2.push_back(s.t2.data[i]);
        if (t == kWm) wm1.push_back(s.t1.data[i]), wm2.push_back(s.t2.data[i]);
      }
    }
    ASSERT_GE(core1.size(), 10u) << seed;
    // Within the healthy grey matter's 5th-95th percentiles (noise, bias and texture included).
    const double g1lo = percentile(gm1, 5), g1hi = percentile(gm1, 95);
    const double g2lo = percentile(gm2, 5), g2hi = percentile(gm2, 95);
    size_t in1 = 0, in2 = 0;
    for (size_t i = 0; i < core1.size(); ++i) in1 += core1[i] >= g1lo && core1[i] <= g1hi, in2 += core2[i] >= g2lo && core2[i] <= g2hi;
    EXPECT_GE(in1, core1.size() * 9 / 10) << "T1, seed " << seed << ": GM [" << g1lo << ", " << g1hi << "]";
    EXPECT_GE(in2, core2.size() * 9 / 10) << "T2, seed " << seed << ": GM [" << g2lo << ", " << g2hi << "]";
    // Median against the healthy grey matter's interquartile range ...
    const double c1 = percentile(core1, 50), c2 = percentile(core2, 50);
    EXPECT_GE(c1, percentile(gm1, 25)) << seed;
    EXPECT_LE(c1, percentile(gm1, 75)) << seed;
    EXPECT_GE(c2, percentile(gm2, 25)) << seed;
    EXPECT_LE(c2, percentile(gm2, 75)) << seed;
    // ... and unlike the white matter it replaced: darker in T1, brighter in T2.
    EXPECT_LT(c1, 0.85 * percentile(wm1, 50)) << seed;
    EXPECT_GT(c2, 1.2 * percentile(wm2, 50)) << seed;
  }
}

TEST(CohortHeterotopia, DeterministicFromTheSeedAndOnlyPaintsTheNodules) {
  const CohortConfig cfg = rigid();
  SyntheticSubject a = make(LesionKind::kHeterotopia, 41, cfg), b = make(LesionKind::kHeterotopia, 41, cfg);
  EXPECT_EQ(a.t1.data, b.t1.data);
  EXPECT_EQ(a.t2.data, b.t2.data);
  EXPECT_EQ(a.seg.data, b.seg.data);
  ASSERT_EQ(a.lesions.count(), b.lesions.count());
  for (int l = 0; l < a.lesions.count(); ++l) {
    EXPECT_EQ(a.lesions.nodules()[l].centre, b.lesions.nodules()[l].centre);
    EXPECT_EQ(a.lesions.nodules()[l].radius, b.lesions.nodules()[l].radius);
  }
  SyntheticSubject c = make(LesionKind::kHeterotopia, 42, cfg);
  EXPECT_NE(a.seg.data, c.seg.data) << "another seed, other nodules";
  // The same seed without lesions is the same person: images differ only within a soft
  // one-voxel edge around the nodules, and the mask is unchanged.
  SyntheticSubject healthy = make(LesionKind::kNone, 41, cfg);
  EXPECT_EQ(healthy.mask.data, a.mask.data);
  size_t changed = 0;
  for (size_t i = 0; i < a.t1.data.size(); ++i)
    if (a.t1.data[i] != healthy.t1.data[i] || a.t2.data[i] != healthy.t2.data[i]) {
      ++changed;
      EXPECT_LE(to_nearest_nodule(a.lesions, voxel_position(i)), 0.5 * kVoxel + 1e-6) << "voxel " << i;
    }
  EXPECT_GE(changed, lesion_voxels(a));
}
