#include "config/CohortConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, CohortConfig& c) {
  s.add("cohort.template_dir", &c.template_dir, "folder with Colin27 ch2.nii.gz and ch2bet.nii.gz (Debian mricron-data)");
  s.add("cohort.seed", &c.seed, "cohort seed: same seed, byte-identical files", 0, 4294967295L);
  s.add("cohort.n_train", &c.n_train, "healthy training subjects (all five folds draw from these)", 2, 100000);
  s.add("cohort.n_val", &c.n_val, "healthy validation subjects per fold", 1, 100000);
  s.add("cohort.n_test_healthy", &c.n_test_healthy, "healthy test subjects (IXI_test)", 1, 100000);
  s.add("cohort.n_test_per_set", &c.n_test_per_set, "test subjects per lesion set", 1, 100000);
  s.add("cohort.n_val_per_set", &c.n_val_per_set, "validation subjects per lesion set", 1, 100000);
  s.add("cohort.lesion_sets", &c.lesion_sets, "diseased sets to generate", {"tumor", "ms", "stroke", "wmh"});
  s.add("cohort.voxel_mm", &c.voxel_mm, "isotropic output spacing in mm", 1.0, 4.0);
  s.add("cohort.deformation_mm", &c.deformation_mm, "peak amplitude of the smooth non-linear deformation (mm)", 0.0, 20.0);
  s.add("cohort.deformation_smoothness_mm", &c.deformation_smoothness_mm, "spatial scale of the deformation field (mm)", 5.0, 100.0);
  s.add("cohort.affine_rotation_deg", &c.affine_rotation_deg, "max rotation per axis of the random affine (degrees)", 0.0, 30.0);
  s.add("cohort.affine_scale", &c.affine_scale, "max relative scale change of the random affine", 0.0, 0.3);
  s.add("cohort.contrast_jitter", &c.contrast_jitter, "relative per-tissue intensity jitter between subjects", 0.0, 0.5);
  s.add("cohort.bias_strength", &c.bias_strength, "amplitude of the smooth multiplicative bias field", 0.0, 0.5);
  s.add("cohort.noise_sigma", &c.noise_sigma, "Rician noise sigma relative to white-matter intensity", 0.0, 0.3);
  s.add("cohort.tumor_radius_mm", &c.tumor_radius_mm, "[min, max] radius of the tumour core (mm)", 2.0, 60.0, 2, 2);
  s.add("cohort.tumor_edema_mm", &c.tumor_edema_mm, "width of the oedema rim around the tumour (mm)", 0.0, 30.0);
  s.add("cohort.tumor_mass_effect_mm", &c.tumor_mass_effect_mm, "displacement of tissue at the tumour border (mm)", 0.0, 20.0);
  s.add("cohort.ms_count", &c.ms_count, "[min, max] number of MS lesions", 1, 200, 2, 2);
  s.add("cohort.ms_radius_mm", &c.ms_radius_mm, "[min, max] MS lesion radius (mm)", 0.5, 20.0, 2, 2);
  s.add("cohort.stroke_radius_mm", &c.stroke_radius_mm, "[min, max] stroke lesion radius (mm)", 2.0, 60.0, 2, 2);
  s.add("cohort.wmh_thickness_mm", &c.wmh_thickness_mm, "[min, max] thickness of periventricular caps (mm)", 0.5, 30.0, 2, 2);
  s.add("cohort.preview_slices", &c.preview_slices, "axial slices per subject in the PNG previews", 0, 20);
}

}  // namespace p2l
