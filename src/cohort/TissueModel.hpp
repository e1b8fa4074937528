#pragma once
// The anatomy every synthetic subject is warped from: the Colin27 brain (Debian mricron-data,
// 1 mm MNI) reduced to what the generator needs, on the cohort grid (voxel_mm isotropic,
// cropped to the brain bounding box like the real benchmark data).
//
// Coordinates: "template mm" u = template voxel index * template spacing. The cohort grid maps
// voxel n to u = lo + voxel_mm * n; its NIfTI geometry keeps the template's direction.
#include <array>
#include <string>

#include "cohort/SmoothField.hpp"
#include "io/Volume.hpp"

namespace p2l {

enum Tissue { kCsf = 0, kGm = 1, kWm = 2 };

struct TissueModel {
  Geometry geom;           // the cohort grid
  Vec3 lo{};               // template mm of voxel (0, 0, 0)
  double voxel_mm = 1;
  FloatVolume t1;          // Colin27 T1 intensity inside the brain (anti-aliased to the grid)
  FloatVolume brain;       // brain fraction in [0, 1]
  FloatVolume ventricle_dist;  // mm to the nearest ventricle voxel (0 inside the ventricles)
  FloatVolume depth;       // mm below the brain surface (0 outside)
  std::array<double, 3> class_mean{};  // template T1 intensity of CSF, GM, WM
  Vec3 brain_centre{};     // template mm
  Vec3 ventricle_centre{}, ventricle_half_extent{};
  double superior_sign = 1;  // +1 when axis 2 (index k) runs towards the head's top
  double anterior_sign = 1;  // +1 when axis 1 (index j) runs towards the front
  double brain_volume_ml = 0, ventricle_volume_ml = 0;

  // Builds the model from DIR/ch2bet.nii.gz; throws naming the file on bad input.
  static TissueModel load(const std::string& template_dir, double voxel_mm);

  // Tissue class of a template T1 intensity (thresholds halfway between class means).
  Tissue classify(double t1_value) const;
  // Trilinear sample of a model channel at template mm `u` (0 outside the grid).
  double sample(const FloatVolume& channel, const Vec3& u) const;
  Vec3 position(size_t i, size_t j, size_t k) const {
    return {lo[0] + voxel_mm * double(i), lo[1] + voxel_mm * double(j), lo[2] + voxel_mm * double(k)};
  }
};

}  // namespace p2l
