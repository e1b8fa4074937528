#include "cohort/LesionModel.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "cohort/Rng.hpp"
#include "config/CohortConfig.hpp"

namespace p2l {
namespace {

double norm(const Vec3& a) { return std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]); }
Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 scaled(const Vec3& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 unit(const Vec3& a) {
  double n = norm(a);
  return n > 1e-9 ? scaled(a, 1.0 / n) : Vec3{1, 0, 0};
}
double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

// The brain voxels of the model satisfying `pred`, in grid order.
std::vector<size_t> candidates(const TissueModel& m, const std::function<bool(const Vec3&, size_t)>& pred) {
  std::vector<size_t> cand;
  const auto& n = m.geom.size;
  for (size_t k = 0; k < n[2]; ++k)
    for (size_t j = 0; j < n[1]; ++j)
      for (size_t i = 0; i < n[0]; ++i) {
        size_t s = m.t1.index(i, j, k);
        if (m.brain.data[s] > 0.9 && pred(m.position(i, j, k), s)) cand.push_back(s);
      }
  return cand;
}

Vec3 voxel_position(const TissueModel& m, size_t s) {
  const auto& n = m.geom.size;
  return m.position(s % n[0], (s / n[0]) % n[1], s / (n[0] * n[1]));
}

// A random model voxel satisfying `pred` (uniform over all such voxels).
Vec3 pick(const TissueModel& m, Rng& rng, const std::string& what,
          const std::function<bool(const Vec3&, size_t)>& pred) {
  std::vector<size_t> cand = candidates(m, pred);
  if (cand.empty()) throw std::runtime_error("cohort: no template location fits a " + what + " lesion");
  return voxel_position(m, cand[size_t(rng.integer(0, long(cand.size()) - 1))]);
}

Vec3 ventricle_gradient(const TissueModel& m, const Vec3& u) {
  Vec3 g{};
  for (int d = 0; d < 3; ++d) {
    Vec3 a = u, b = u;
    a[d] += m.voxel_mm, b[d] -= m.voxel_mm;
    g[d] = m.sample(m.ventricle_dist, a) - m.sample(m.ventricle_dist, b);
  }
  return unit(g);
}

bool in_ventricle(const TissueModel& m, const Vec3& p) { return m.sample(m.ventricle_dist, p) < 0.5; }

// Lesion compartments as weights on the subject's (CSF, GM, WM) levels: T1 then T2.
const TissueMix kNecrosis{{0.8, 0.2, 0}, {1.0, 0, 0}};
const TissueMix kEnhancing{{0.25, 0.75, 0}, {0.45, 0.55, 0}};
const TissueMix kEdema{{0.3, 0.5, 0.2}, {0.6, 0.4, 0}};
const TissueMix kPlaque{{0, 0.7, 0.3}, {0.45, 0.4, 0.15}};
const TissueMix kInfarct{{0.85, 0.15, 0}, {0.92, 0.08, 0}};
const TissueMix kGliosis{{0.45, 0.55, 0}, {0.7, 0.3, 0}};
const TissueMix kHyperintensity{{0, 0.6, 0.4}, {0.3, 0.5, 0.2}};
// Heterotopia: exactly the subject's own grey matter in both contrasts.
const TissueMix kGreyMatter{{0, 1, 0}, {0, 1, 0}};

// BraTS labels of the tumour compartments.
constexpr uint8_t kLabelNecrosis = 1, kLabelEdema = 2, kLabelEnhancing = 4;

}  // namespace

LesionKind lesion_kind(const std::string& set) {
  return set.empty() ? LesionKind::kNone : lesion_kinds().parse(set, "cohort.lesion_sets");
}

LesionPlan::LesionPlan(LesionKind kind, const TissueModel& m, const CohortConfig& cfg, Rng& rng)
    : kind_(kind), voxel_mm_(m.voxel_mm) {
  const Vec3 unit_lo{-2, -2, -2}, unit_hi{2, 2, 2};
  auto superior = [&](const Vec3& u) { return (u[2] - m.ventricle_centre[2]) * m.superior_sign; };
  auto tissue = [&](size_t s) { return m.classify(m.t1.data[s]); };
  switch (kind) {
    case LesionKind::kNone:
      break;
    case LesionKind::kTumor: {
      radius_ = rng.uniform(cfg.tumor_radius_mm[0], cfg.tumor_radius_mm[1]);
      edema_ = cfg.tumor_edema_mm;
      const double depth = std::max(10.0, 0.6 * radius_);
      // Gliomas: cerebral white matter, away from the ventricles themselves.
      centre_ = pick(m, rng, "tumour", [&](const Vec3& u, size_t s) {
        return tissue(s) == kWm && m.depth.data[s] >= depth && m.ventricle_dist.data[s] >= 5 && superior(u) >= -10;
      });
      shape_ = SmoothField(rng, unit_lo, unit_hi, 1.0);
      shape2_ = SmoothField(rng, unit_lo, unit_hi, 0.7);
      // Volume-preserving push: tissue at radius r moves to (r^3 + V)^(1/3), with V chosen so
      // the tissue ending at the core border moved by tumor_mass_effect_mm.
      const double push = std::min(cfg.tumor_mass_effect_mm, 0.9 * radius_);
      mass_cube_ = std::pow(radius_, 3) - std::pow(radius_ - push, 3);
      break;
    }
    case LesionKind::kMs: {
      const int n = int(rng.integer(cfg.ms_count[0], cfg.ms_count[1]));
      for (int l = 0; l < n; ++l) {
        Ovoid o;
        const double r = rng.uniform(cfg.ms_radius_mm[0], cfg.ms_radius_mm[1]);
        // Periventricular white matter; the long axis points away from the ventricles
        // (Dawson's fingers). Semi-axes keep the volume of a ball of radius r.
        o.centre = pick(m, rng, "ms", [&](const Vec3& u, size_t s) {
          return tissue(s) == kWm && superior(u) >= -10 && m.ventricle_dist.data[s] >= 1.5 && m.ventricle_dist.data[s] <= 12 &&
                 m.depth.data[s] >= 5;
        });
        Vec3 a0 = ventricle_gradient(m, o.centre);
        Vec3 a1 = unit(cross(a0, std::abs(a0[2]) < 0.9 ? Vec3{0, 0, 1} : Vec3{1, 0, 0}));
        o.axes = {a0, a1, cross(a0, a1)};
        const double elong = rng.uniform(1.2, 1.8);
        o.radii = {r * elong, r / std::sqrt(elong), r / std::sqrt(elong)};
        ovoids_.push_back(o);
      }
      break;
    }
    case LesionKind::kStroke: {
      radius_ = rng.uniform(cfg.stroke_radius_mm[0], cfg.stroke_radius_mm[1]);
      const double side = rng.uniform() < 0.5 ? -1.0 : 1.0;
      // Middle-cerebral-artery-like territory: lateral cortex at the level of the ventricles
      // and above, not too far forward or back.
      centre_ = pick(m, rng, "stroke", [&](const Vec3& u, size_t s) {
        double lateral = (u[0] - m.brain_centre[0]) * side;
        return tissue(s) == kGm && m.depth.data[s] >= 1 && m.depth.data[s] <= 5 && lateral >= 35 &&
               superior(u) >= -5 && superior(u) <= 40 && std::abs(u[1] - m.ventricle_centre[1]) <= 35;
      });
      Vec3 target = m.ventricle_centre;
      target[0] += side * 12.0;  // basal ganglia, beside the ventricle
      axis_ = unit(sub(target, centre_));
      length_ = std::min(1.5 * radius_, norm(sub(target, centre_)));
      shape_ = SmoothField(rng, unit_lo, unit_hi, 0.8);
      break;
    }
    case LesionKind::kWmh:
      thickness_ = rng.uniform(cfg.wmh_thickness_mm[0], cfg.wmh_thickness_mm[1]);
      shape_ = SmoothField(rng, sub(m.lo, Vec3{20, 20, 20}),
                           Vec3{m.lo[0] + m.geom.size[0] * m.voxel_mm + 20, m.lo[1] + m.geom.size[1] * m.voxel_mm + 20,
                                m.lo[2] + m.geom.size[2] * m.voxel_mm + 20},
                           10.0);
      break;
    case LesionKind::kHeterotopia: {
      // Grey-matter heterotopia: balls of normal grey matter in the cerebral white matter, either
      // along the ventricular wall (periventricular) or in the subcortical white matter. The
      // candidate centres of both kinds are listed once; each nodule then draws from its list.
      const auto& nc = cfg.heterotopia_count;
      const auto& dc = cfg.heterotopia_diameter_mm;
      const auto& vc = cfg.heterotopia_ventricle_mm;
      const auto& zc = cfg.heterotopia_subcortical_depth_mm;
      const long n_lo = std::min(nc[0], nc[1]), n_hi = std::max(nc[0], nc[1]);
      const double d_lo = std::min(dc[0], dc[1]), d_hi = std::max(dc[0], dc[1]);
      const double v_lo = std::min(vc[0], vc[1]), v_hi = std::max(vc[0], vc[1]);
      const double z_lo = std::min(zc[0], zc[1]), z_hi = std::max(zc[0], zc[1]);
      texture_ = cfg.heterotopia_texture;
      auto level = [&](const Vec3& u) { return superior(u) >= cfg.heterotopia_min_level_mm; };
      const std::vector<size_t> lists[2] = {
          candidates(m, [&](const Vec3& u, size_t s) {  // subcortical
            return tissue(s) == kWm && level(u) && m.depth.data[s] >= z_lo && m.depth.data[s] <= z_hi &&
                   m.ventricle_dist.data[s] > v_hi;
          }),
          candidates(m, [&](const Vec3& u, size_t s) {  // periventricular
            return tissue(s) == kWm && level(u) && m.ventricle_dist.data[s] >= v_lo && m.ventricle_dist.data[s] <= v_hi;
          })};
      const int n = int(rng.integer(n_lo, n_hi));
      for (int l = 0; l < n; ++l) {
        Nodule nod;
        nod.radius = 0.5 * rng.uniform(d_lo, d_hi);
        nod.confluent = l > 0 && rng.uniform() < cfg.heterotopia_confluent_prob;
        nod.periventricular = nod.confluent ? nodules_.back().periventricular
                                            : rng.uniform() < cfg.heterotopia_periventricular_fraction;
        const std::vector<size_t>& list = lists[nod.periventricular ? 1 : 0];
        if (list.empty())
          throw std::runtime_error(std::string("cohort: no template location fits a ") +
                                   (nod.periventricular ? "periventricular" : "subcortical") + " heterotopia nodule");
        // Confluent: centre outside the larger of the two balls but close enough that they touch
        // or overlap. Otherwise: apart from every earlier nodule by at least one voxel, if possible.
        std::vector<size_t> fit;
        auto filter = [&](const std::function<bool(const Vec3&)>& ok) {
          fit.clear();
          for (size_t s : list)
            if (ok(voxel_position(m, s))) fit.push_back(s);
        };
        if (nod.confluent) {
          const Nodule& prev = nodules_.back();
          filter([&](const Vec3& u) {
            double d = norm(sub(u, prev.centre));
            return d >= std::max(prev.radius, nod.radius) && d <= prev.radius + nod.radius;
          });
          nod.confluent = !fit.empty();
        }
        if (!nod.confluent) {
          filter([&](const Vec3& u) {
            for (const auto& o : nodules_)
              if (norm(sub(u, o.centre)) < o.radius + nod.radius + m.voxel_mm) return false;
            return true;
          });
          if (fit.empty()) fit = list;
        }
        nod.centre = voxel_position(m, fit[size_t(rng.integer(0, long(fit.size()) - 1))]);
        nodules_.push_back(nod);
      }
      break;
    }
  }
}

int LesionPlan::count() const {
  switch (kind_) {
    case LesionKind::kNone: return 0;
    case LesionKind::kMs: return int(ovoids_.size());
    case LesionKind::kWmh: return 2;
    case LesionKind::kHeterotopia: return int(nodules_.size());
    default: return 1;
  }
}

double LesionPlan::outline(const Vec3& d, const SmoothField& f, double amplitude) const {
  return std::clamp(1.0 + amplitude * f.sample(unit(d)), 0.5, 1.5);
}

Vec3 LesionPlan::displace(const Vec3& q) const {
  if (kind_ != LesionKind::kTumor || mass_cube_ <= 0) return q;
  Vec3 d = sub(q, centre_);
  double r = norm(d);
  if (r < 1e-9) return centre_;
  double rho = outline(d, shape_, 0.12);
  double rt = r / rho;
  double src = std::cbrt(std::max(0.0, rt * rt * rt - mass_cube_));
  return {centre_[0] + d[0] / r * src * rho, centre_[1] + d[1] / r * src * rho, centre_[2] + d[2] / r * src * rho};
}

LesionPaint LesionPlan::paint(const Vec3& q, const Vec3& p, const TissueModel& m) const {
  LesionPaint out;
  const double edge = voxel_mm_;  // soft edges one voxel wide
  switch (kind_) {
    case LesionKind::kNone:
      break;
    case LesionKind::kTumor: {
      Vec3 d = sub(q, centre_);
      double r = norm(d);
      if (r > 1.6 * (radius_ + edema_) + edge) break;
      double rt = r / outline(d, shape_, 0.12);
      double necrosis = 0.5 * radius_ * outline(d, shape2_, 0.2);
      double outer = radius_ + edema_ * std::clamp(1.0 + 0.4 * shape2_.sample(scaled(unit(d), -1.0)), 0.3, 1.7);
      if (rt < necrosis) {
        out = {kLabelNecrosis, 1.0, 0.15, kNecrosis};
      } else if (rt < radius_) {
        out = {kLabelEnhancing, 1.0, 0.15, kEnhancing};
      } else if (rt < outer && !in_ventricle(m, p)) {
        // Oedema infiltrates: the tissue underneath stays partly visible.
        out = {kLabelEdema, 0.8 * clamp01(0.5 + (outer - rt) / edge), 0.1, kEdema};
      }
      break;
    }
    case LesionKind::kMs: {
      if (in_ventricle(m, p) || m.classify(m.sample(m.t1, p)) == kCsf) break;
      for (const auto& o : ovoids_) {
        Vec3 d = sub(q, o.centre);
        if (norm(d) > o.radii[0] + edge) continue;
        double s2 = 0;
        for (int a = 0; a < 3; ++a) s2 += std::pow(dot(d, o.axes[a]) / o.radii[a], 2);
        double s = std::sqrt(s2);
        double w = clamp01(0.5 - (s - 1.0) * o.radii[1] / edge);
        if (w > out.weight) out = {uint8_t(s <= 1.0 ? 1 : out.label), w, 0.08, kPlaque};
      }
      break;
    }
    case LesionKind::kStroke: {
      if (in_ventricle(m, p)) break;
      Vec3 d = sub(q, centre_);
      double t = dot(d, axis_);
      if (t < -10 || t > length_ + edge) break;
      double rho = norm(sub(d, scaled(axis_, t)));
      if (rho > 1.6 * radius_) break;
      // A wedge: wide at the cortex, narrowing towards the deep apex, with an irregular outline.
      double allowed = radius_ * (1.0 - 0.6 * clamp01(t / length_)) *
                       std::clamp(1.0 + 0.18 * shape_.sample(scaled(d, 1.0 / radius_)), 0.6, 1.4);
      double margin = std::min(allowed - rho, length_ - t);
      double w = clamp01(0.5 + margin / edge);
      if (w > 0) out = {uint8_t(margin >= 0 ? 1 : 0), w, 0.08, margin >= 2.5 ? kInfarct : kGliosis};
      break;
    }
    case LesionKind::kWmh: {
      double vd = m.sample(m.ventricle_dist, p);
      // Only cerebral white matter at the level of the lateral ventricles (not the deep grey
      // matter and cisterns around the third ventricle and brain stem).
      if (vd < 0.5 || vd > 3 * thickness_ || m.classify(m.sample(m.t1, p)) != kWm ||
          (p[2] - m.ventricle_centre[2]) * m.superior_sign < 0)
        break;
      // Caps at the frontal and occipital horns, a thin band along the ventricle bodies.
      double along = std::abs(p[1] - m.ventricle_centre[1]) / std::max(1.0, m.ventricle_half_extent[1]);
      double cap = clamp01((along - 0.35) / 0.5);
      double t = thickness_ * (0.35 + 0.65 * cap) * std::clamp(1.0 + 0.25 * shape_.sample(q), 0.5, 1.5);
      double margin = t - vd;
      double w = clamp01(0.5 + margin / edge);
      if (w > 0) out = {uint8_t(margin >= 0 ? 1 : 0), w, 0.05, kHyperintensity};
      break;
    }
    case LesionKind::kHeterotopia: {
      // Painted over white matter only: never into the ventricles, CSF or the cortex.
      if (in_ventricle(m, p) || m.classify(m.sample(m.t1, p)) != kWm) break;
      for (const auto& o : nodules_) {
        double d = norm(sub(q, o.centre));
        if (d > o.radius + edge) continue;
        double w = clamp01(0.5 + (o.radius - d) / edge);
        if (w > out.weight) out = {uint8_t(d <= o.radius ? 1 : out.label), w, texture_, kGreyMatter};
      }
      break;
    }
  }
  return out;
}

}  // namespace p2l
