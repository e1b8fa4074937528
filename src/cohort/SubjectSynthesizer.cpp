#include "cohort/SubjectSynthesizer.hpp"

#include <algorithm>
#include <cmath>

#include "cohort/Rng.hpp"
#include "config/CohortConfig.hpp"

namespace p2l {
namespace {

// Mean tissue levels (CSF, GM, WM) before jitter. T1: WM bright, CSF dark, as in Colin27;
// T2-like: CSF bright, GM mid, WM dark.
constexpr std::array<double, 3> kT1Levels{0.30, 0.62, 0.88};
constexpr std::array<double, 3> kT2Levels{1.00, 0.62, 0.42};
// Spatial scales (mm) of the bias field, the T2's own fine texture and lesion heterogeneity.
constexpr double kBiasScaleMm = 60.0;
constexpr double kTextureScaleMm = 3.0;
constexpr double kT2TextureAmplitude = 0.03;
// Stream ids: each purpose draws from its own stream, so adding lesions changes nothing else.
enum Stream : uint64_t { kAnatomy = 1, kContrast, kLesion, kNoise, kTexture };

using Mat3 = std::array<double, 9>;

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k)
      for (int s = 0; s < 3; ++s) c[r * 3 + s] += a[r * 3 + k] * b[k * 3 + s];
  return c;
}

Mat3 rotation(int axis, double rad) {
  Mat3 m{1, 0, 0, 0, 1, 0, 0, 0, 1};
  const int a = (axis + 1) % 3, b = (axis + 2) % 3;
  m[a * 3 + a] = std::cos(rad), m[a * 3 + b] = -std::sin(rad);
  m[b * 3 + a] = std::sin(rad), m[b * 3 + b] = std::cos(rad);
  return m;
}

// Piecewise-linear map through (x[i], y[i]); linear continuation past the last knot, constant
// before the first. Keeps the template's texture while setting the subject's tissue levels.
double piecewise(double v, const double* x, const double* y, int n) {
  if (v <= x[0]) return y[0];
  for (int i = 1; i < n; ++i)
    if (v <= x[i]) return y[i - 1] + (y[i] - y[i - 1]) * (v - x[i - 1]) / (x[i] - x[i - 1]);
  return y[n - 1] + (y[n - 1] - y[n - 2]) * (v - x[n - 1]) / (x[n - 1] - x[n - 2]);
}

double level(const std::array<double, 3>& weights, const std::array<double, 3>& levels) {
  return weights[0] * levels[0] + weights[1] * levels[1] + weights[2] * levels[2];
}

}  // namespace

SyntheticSubject synthesize_subject(const TissueModel& model, const CohortConfig& cfg, LesionKind kind,
                                    uint64_t subject_seed) {
  Rng anatomy = Rng::stream(subject_seed, kAnatomy), contrast = Rng::stream(subject_seed, kContrast),
      lesion_rng = Rng::stream(subject_seed, kLesion), noise = Rng::stream(subject_seed, kNoise),
      texture = Rng::stream(subject_seed, kTexture);
  const Geometry& g = model.geom;
  const double vm = model.voxel_mm;
  const Vec3 lo = model.lo;
  const Vec3 hi{lo[0] + vm * (g.size[0] - 1), lo[1] + vm * (g.size[1] - 1), lo[2] + vm * (g.size[2] - 1)};

  // Small affine about the brain centre: output u -> c + (R S)^-1 (u - c - shift).
  const double deg = 3.14159265358979 / 180.0;
  Mat3 rot{1, 0, 0, 0, 1, 0, 0, 0, 1};
  for (int a = 0; a < 3; ++a)
    rot = mul(rot, rotation(a, anatomy.uniform(-cfg.affine_rotation_deg, cfg.affine_rotation_deg) * deg));
  Vec3 scale{}, shift{};
  for (int a = 0; a < 3; ++a) scale[a] = 1.0 + anatomy.uniform(-cfg.affine_scale, cfg.affine_scale);
  for (int a = 0; a < 3; ++a) shift[a] = anatomy.uniform(-cfg.affine_shift_mm, cfg.affine_shift_mm);
  Mat3 inv{};  // S^-1 R^T
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) inv[r * 3 + c] = rot[c * 3 + r] / scale[r];
  // Smooth displacement, one field per axis; ~3 sigma = deformation_mm.
  std::array<std::vector<float>, 3> disp;
  for (int a = 0; a < 3; ++a)
    disp[a] = SmoothField(anatomy, lo, hi, cfg.deformation_smoothness_mm).on_grid(g.size, lo, vm);
  const double disp_amp = cfg.deformation_mm / 3.0;

  // Subject tissue levels: per-tissue jitter, clamped so the tissue order never flips.
  std::array<double, 3> l1{}, l2{};
  for (int t = 0; t < 3; ++t) {
    l1[t] = kT1Levels[t] * (1.0 + cfg.contrast_jitter * std::clamp(contrast.normal(), -2.0, 2.0));
    l2[t] = kT2Levels[t] * (1.0 + cfg.contrast_jitter * std::clamp(contrast.normal(), -2.0, 2.0));
  }
  const auto bias1 = SmoothField(contrast, lo, hi, kBiasScaleMm).on_grid(g.size, lo, vm);
  const auto bias2 = SmoothField(contrast, lo, hi, kBiasScaleMm).on_grid(g.size, lo, vm);
  const auto tex2 = SmoothField(texture, lo, hi, kTextureScaleMm).on_grid(g.size, lo, vm);
  const auto tex_lesion = SmoothField(texture, lo, hi, kTextureScaleMm).on_grid(g.size, lo, vm);

  const auto& mean = model.class_mean;
  const double x1[4] = {0, mean[kCsf], mean[kGm], mean[kWm]}, y1[4] = {0, l1[kCsf], l1[kGm], l1[kWm]};
  const double x2[3] = {mean[kCsf], mean[kGm], mean[kWm]}, y2[3] = {l2[kCsf], l2[kGm], l2[kWm]};
  const double sigma = cfg.noise_sigma * l1[kWm];

  SyntheticSubject out;
  out.lesions = LesionPlan(kind, model, cfg, lesion_rng);
  out.t1 = FloatVolume(g);
  out.t2 = FloatVolume(g);
  out.mask = LabelVolume(g);
  if (kind != LesionKind::kNone) out.seg = LabelVolume(g);
  const Vec3& c = model.brain_centre;
  for (size_t k = 0; k < g.size[2]; ++k)
    for (size_t j = 0; j < g.size[1]; ++j)
      for (size_t i = 0; i < g.size[0]; ++i) {
        const size_t s = out.t1.index(i, j, k);
        // Noise is drawn for every voxel so its stream stays aligned whatever the mask is.
        const double n1 = noise.normal(), n2 = noise.normal(), n3 = noise.normal(), n4 = noise.normal();
        const Vec3 u = model.position(i, j, k);
        const Vec3 rel{u[0] - c[0] - shift[0], u[1] - c[1] - shift[1], u[2] - c[2] - shift[2]};
        Vec3 q{};
        for (int r = 0; r < 3; ++r)
          q[r] = c[r] + inv[r * 3] * rel[0] + inv[r * 3 + 1] * rel[1] + inv[r * 3 + 2] * rel[2] +
                 disp_amp * disp[r][s];
        const Vec3 p = out.lesions.displace(q);
        if (model.sample(model.brain, p) < 0.5) continue;
        out.mask.data[s] = 1;
        const double v = model.sample(model.t1, p);
        double a = piecewise(v, x1, y1, 4);
        double b = std::max(0.5 * l2[kWm], piecewise(v, x2, y2, 3)) * (1.0 + kT2TextureAmplitude * tex2[s]);
        if (kind != LesionKind::kNone) {
          const LesionPaint lp = out.lesions.paint(q, p, model);
          if (lp.weight > 0) {
            const double het = 1.0 + lp.texture * std::clamp(double(tex_lesion[s]), -2.5, 2.5);
            a += lp.weight * (level(lp.mix.t1, l1) * het - a);
            b += lp.weight * (level(lp.mix.t2, l2) * het - b);
            out.seg.data[s] = lp.label;
          }
        }
        a *= std::exp(0.5 * cfg.bias_strength * std::clamp(double(bias1[s]), -2.0, 2.0));
        b *= std::exp(0.5 * cfg.bias_strength * std::clamp(double(bias2[s]), -2.0, 2.0));
        // Rician: magnitude of a complex signal with Gaussian noise in both channels.
        out.t1.data[s] = float(std::hypot(a + sigma * n1, sigma * n2));
        out.t2.data[s] = float(std::hypot(b + sigma * n3, sigma * n4));
      }
  return out;
}

}  // namespace p2l
