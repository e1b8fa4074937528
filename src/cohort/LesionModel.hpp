#pragma once
// Lesions of the diseased sets (SPEC section 10), drawn per subject and painted voxel by voxel.
// A lesion lives in the subject's anatomical frame (template mm after the subject's own affine
// and non-linear warp), so it follows that subject's anatomy; its intensity is a mixture of the
// subject's own CSF/GM/WM levels, so T1 and T2 contrast stay consistent with the tissue jitter.
#include <array>
#include <string>
#include <vector>

#include "cohort/SmoothField.hpp"
#include "cohort/TissueModel.hpp"
#include "config/NamedEnum.hpp"

namespace p2l {

struct CohortConfig;
class Rng;

enum class LesionKind { kNone, kTumor, kMs, kStroke, kWmh, kHeterotopia };
// The diseased sets' ids (cohort.lesion_sets); kNone, a healthy subject, has none.
inline const NamedEnum<LesionKind>& lesion_kinds() {
  static const NamedEnum<LesionKind> e{{LesionKind::kTumor, "tumor"},
                                       {LesionKind::kMs, "ms"},
                                       {LesionKind::kStroke, "stroke"},
                                       {LesionKind::kWmh, "wmh"},
                                       {LesionKind::kHeterotopia, "heterotopia"}};
  return e;
}
// "" (a healthy subject) -> kNone; throws naming cohort.lesion_sets and the ids on an unknown set.
LesionKind lesion_kind(const std::string& set);

// Intensity of a lesion compartment as weights on the subject's CSF, GM and WM levels.
struct TissueMix {
  std::array<double, 3> t1{}, t2{};
};

// What a lesion does at one point.
struct LesionPaint {
  uint8_t label = 0;     // segmentation label (0 = none; tumour uses BraTS 1/2/4)
  double weight = 0;     // how much of the lesion intensity replaces the tissue (0..1)
  double texture = 0;    // relative amplitude of the lesion's internal heterogeneity
  TissueMix mix;
};

// One ellipsoid (MS plaque).
struct Ovoid {
  Vec3 centre{};
  std::array<Vec3, 3> axes{};  // orthonormal
  Vec3 radii{};
};

// One grey-matter heterotopia nodule: a ball of normal grey matter inside the white matter.
struct Nodule {
  Vec3 centre{};
  double radius = 0;
  bool periventricular = false;  // along the ventricular wall; else subcortical white matter
  bool confluent = false;        // placed touching or overlapping the previous nodule
};

class LesionPlan {
 public:
  LesionPlan() = default;
  // Draws the lesions of `kind` for one subject from `rng`, placed with the help of `model`.
  LesionPlan(LesionKind kind, const TissueModel& model, const CohortConfig& cfg, Rng& rng);

  LesionKind kind() const { return kind_; }
  // Number of distinct lesions drawn (MS plaques, heterotopia nodules; 1 for a tumour or
  // stroke; 2 WMH caps).
  int count() const;
  const std::vector<Nodule>& nodules() const { return nodules_; }
  const Vec3& tumour_centre() const { return centre_; }
  double tumour_radius() const { return radius_; }

  // Mass effect: where the tissue now at `q` came from (identity except for tumours).
  Vec3 displace(const Vec3& q) const;
  // The lesion at `q` given the template tissue found there (`p` = displace(q)).
  LesionPaint paint(const Vec3& q, const Vec3& p, const TissueModel& model) const;

 private:
  LesionKind kind_ = LesionKind::kNone;
  double voxel_mm_ = 1;
  // Tumour and stroke: centre (stroke: cortical apex), size, shape irregularity.
  Vec3 centre_{}, axis_{};
  double radius_ = 0, edema_ = 0, mass_cube_ = 0, length_ = 0;
  SmoothField shape_, shape2_;
  // MS.
  std::vector<Ovoid> ovoids_;
  // WMH.
  double thickness_ = 0;
  // Heterotopia.
  std::vector<Nodule> nodules_;
  double texture_ = 0;

  // Radius factor of the tumour along the direction of `d` (irregular outline).
  double outline(const Vec3& d, const SmoothField& f, double amplitude) const;
};

}  // namespace p2l
