#pragma once
#include <string>
#include <vector>

namespace p2l {
class Schema;

// The embedded default cohort built from Colin27 (SPEC section 10).
struct CohortConfig {
  std::string template_dir = "/usr/share/mricron/templates";
  long seed = 3141;
  int n_train = 16;
  int n_val = 4;
  int n_test_healthy = 4;
  int n_test_per_set = 4;
  int n_val_per_set = 2;
  std::vector<std::string> lesion_sets = {"tumor", "ms", "stroke", "wmh", "heterotopia"};
  double voxel_mm = 2.0;  // output grid spacing: 1 mm is the real-data grid; 2 mm keeps the demo fast
  double deformation_mm = 3.0;
  double deformation_smoothness_mm = 20.0;
  double affine_rotation_deg = 3.0;
  double affine_scale = 0.04;
  double affine_shift_mm = 3.0;
  double contrast_jitter = 0.06;
  double bias_strength = 0.15;
  double noise_sigma = 0.02;
  std::vector<double> tumor_radius_mm = {14.0, 26.0};
  double tumor_edema_mm = 8.0;
  double tumor_mass_effect_mm = 6.0;
  std::vector<int> ms_count = {6, 20};
  std::vector<double> ms_radius_mm = {2.0, 5.0};
  std::vector<double> stroke_radius_mm = {12.0, 24.0};
  std::vector<double> wmh_thickness_mm = {3.0, 8.0};
  // Grey-matter heterotopia: nodules of normal grey matter in the white matter.
  std::vector<int> heterotopia_count = {1, 8};
  std::vector<double> heterotopia_diameter_mm = {3.0, 12.0};
  double heterotopia_confluent_prob = 0.3;
  double heterotopia_periventricular_fraction = 0.7;
  std::vector<double> heterotopia_ventricle_mm = {0.5, 6.0};
  std::vector<double> heterotopia_subcortical_depth_mm = {6.0, 20.0};
  double heterotopia_min_level_mm = 0.0;
  double heterotopia_texture = 0.03;
  int preview_slices = 3;
  int preview_subjects = 4;
  std::vector<double> healthy_age = {20.0, 86.0};
};

void bind(Schema& s, CohortConfig& c);

}  // namespace p2l
