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
  s.add("cohort.lesion_sets", &c.lesion_sets, "diseased sets to generate", {"tumor", "ms", "stroke", "wmh", "heterotopia"});
  s.add("cohort.voxel_mm", &c.voxel_mm, "isotropic output spacing in mm", 1.0, 4.0);
  s.add("cohort.deformation_mm", &c.deformation_mm, "approximate peak displacement of the smooth non-linear deformation (mm; 3 standard deviations)", 0.0, 20.0);
  s.add("cohort.deformation_smoothness_mm", &c.deformation_smoothness_mm, "spatial scale of the deformation field (mm)", 5.0, 100.0);
  s.add("cohort.affine_rotation_deg", &c.affine_rotation_deg, "max rotation per axis of the random affine (degrees)", 0.0, 30.0);
  s.add("cohort.affine_scale", &c.affine_scale, "max relative scale change of the random affine", 0.0, 0.3);
  s.add("cohort.affine_shift_mm", &c.affine_shift_mm, "max translation per axis of the random affine (mm)", 0.0, 20.0);
  s.add("cohort.contrast_jitter", &c.contrast_jitter, "relative per-tissue intensity jitter between subjects", 0.0, 0.5);
  s.add("cohort.bias_strength", &c.bias_strength, "peak relative amplitude of the smooth multiplicative bias field", 0.0, 0.5);
  s.add("cohort.noise_sigma", &c.noise_sigma, "Rician noise sigma relative to the T1 white-matter intensity (same sigma in T2)", 0.0, 0.3);
  s.add("cohort.tumor_radius_mm", &c.tumor_radius_mm, "[min, max] radius of the tumour core (necrosis plus enhancing rim; mm)", 2.0, 60.0, 2, 2);
  s.add("cohort.tumor_edema_mm", &c.tumor_edema_mm, "mean width of the oedema around the tumour core (mm; varies by +-40% around it)", 0.0, 30.0);
  s.add("cohort.tumor_mass_effect_mm", &c.tumor_mass_effect_mm, "mass effect: how far tissue at the core border was pushed outwards (mm)", 0.0, 20.0);
  s.add("cohort.ms_count", &c.ms_count, "[min, max] number of MS lesions", 1, 200, 2, 2);
  s.add("cohort.ms_radius_mm", &c.ms_radius_mm, "[min, max] MS lesion radius (mm; ovoids with the volume of a ball of this radius)", 0.5, 20.0, 2, 2);
  s.add("cohort.stroke_radius_mm", &c.stroke_radius_mm, "[min, max] radius of the stroke wedge at the cortex (mm; it narrows towards the ventricles)", 2.0, 60.0, 2, 2);
  s.add("cohort.wmh_thickness_mm", &c.wmh_thickness_mm, "[min, max] thickness of the periventricular caps (mm; bands along the ventricles are thinner)", 0.5, 30.0, 2, 2);
  s.add("cohort.heterotopia_count", &c.heterotopia_count, "[min, max] number of grey-matter heterotopia nodules", 1, 50, 2, 2);
  s.add("cohort.heterotopia_diameter_mm", &c.heterotopia_diameter_mm, "[min, max] diameter of a heterotopia nodule (mm; balls of normal grey matter)", 1.0, 40.0, 2, 2);
  s.add("cohort.heterotopia_confluent_prob", &c.heterotopia_confluent_prob, "probability that a nodule after the first is confluent: placed touching or overlapping the previous one (same placement rule); otherwise it is kept apart from the others", 0.0, 1.0);
  s.add("cohort.heterotopia_periventricular_fraction", &c.heterotopia_periventricular_fraction, "probability that a non-confluent nodule is periventricular (along the ventricular wall) rather than subcortical", 0.0, 1.0);
  s.add("cohort.heterotopia_ventricle_mm", &c.heterotopia_ventricle_mm, "[min, max] distance of a periventricular nodule's centre from the ventricles (mm)", 0.0, 30.0, 2, 2);
  s.add("cohort.heterotopia_subcortical_depth_mm", &c.heterotopia_subcortical_depth_mm, "[min, max] depth below the brain surface of a subcortical nodule's centre (mm); it also lies farther than heterotopia_ventricle_mm[1] from the ventricles", 0.0, 60.0, 2, 2);
  s.add("cohort.heterotopia_min_level_mm", &c.heterotopia_min_level_mm, "lowest position of a nodule's centre above the centre of the ventricles (mm, towards the top of the head; 0: the level of the lateral ventricle bodies and above)", -60.0, 60.0);
  s.add("cohort.heterotopia_texture", &c.heterotopia_texture, "relative amplitude of the nodules' fine texture (normal grey matter's own T2 texture is 0.03)", 0.0, 0.3);
  s.add("cohort.preview_slices", &c.preview_slices, "axial slices per subject in the PNG previews (0: no previews)", 0, 20);
  s.add("cohort.preview_subjects", &c.preview_subjects, "subjects (rows) per set in the PNG previews", 1, 50);
  s.add("cohort.healthy_age", &c.healthy_age, "[min, max] age of healthy subjects (years; IXI spans 20-86)", 0.0, 120.0, 2, 2);
}

}  // namespace p2l
