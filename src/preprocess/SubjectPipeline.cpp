#include "preprocess/SubjectPipeline.hpp"

#include <stdexcept>

#include "io/Nifti.hpp"
#include "preprocess/BiasFieldCorrection.hpp"
#include "preprocess/CropOrPad.hpp"
#include "preprocess/CurvatureFlowDenoiser.hpp"
#include "preprocess/HistogramStandardizer.hpp"
#include "preprocess/InPlaneDownsampler.hpp"
#include "preprocess/IntensityScaling.hpp"

namespace p2l {
namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

}  // namespace

std::string modality_image_path(const std::string& csv_image, Modality modality) {
  const std::string want = modalities().id(modality);
  const std::string other = modalities().id(modality == Modality::kT1 ? Modality::kT2 : Modality::kT1);
  std::string p = csv_image;
  replace_all(p, "/" + other + "/", "/" + want + "/");
  replace_all(p, "_" + other + ".", "_" + want + ".");
  return p;
}

SubjectInputs load_subject_inputs(const std::string& image_path, const SubjectRecord& r,
                                  double tolerance) {
  SubjectInputs in;
  in.image = read_nifti_float(image_path);
  in.mask = read_nifti_label(r.mask);
  std::string why = in.image.geom.mismatch(in.mask.geom, tolerance);
  if (!why.empty()) throw std::runtime_error(r.mask + ": mask grid differs from the image " + image_path + ": " + why);
  if (!r.seg.empty()) {
    in.seg = read_nifti_label(r.seg);
    why = in.image.geom.mismatch(in.seg.geom, tolerance);
    if (!why.empty()) throw std::runtime_error(r.seg + ": segmentation grid differs from the image " + image_path + ": " + why);
  }
  // Within tolerance is not identical: all three share the image's grid from here on.
  in.mask.geom = in.image.geom;
  if (in.has_seg()) in.seg.geom = in.image.geom;
  return in;
}

void correct_bias(SubjectInputs& in, const PreprocessConfig& cfg) {
  if (cfg.n4) n4_correct(in.image, in.mask, cfg.n4_iterations, cfg.n4_levels);
}

SubjectSlices finish_subject(SubjectInputs in, const PreprocessConfig& cfg,
                             const std::vector<double>& standard, SubjectProvenance& prov) {
  if (!standard.empty())
    apply_standardization(in.image, percentiles_in_mask(in.image, in.mask, cfg.histogram_landmarks), standard);
  const Geometry source = in.image.geom;
  const std::array<size_t, 3> dim = {size_t(cfg.image_dim[0]), size_t(cfg.image_dim[1]),
                                     size_t(cfg.image_dim[2])};
  prov.crop_offset = centred_offset(in.image.geom.size, dim);
  FloatVolume img = crop_or_pad(in.image, dim);
  LabelVolume mask = crop_or_pad(in.mask, dim);
  clip_and_rescale(img, mask, cfg.clip_percentiles[0], cfg.clip_percentiles[1]);
  if (cfg.curvature_flow)
    curvature_flow(img, mask, cfg.curvature_flow_iterations, cfg.curvature_flow_time_step);
  LabelVolume seg;
  if (in.has_seg()) seg = crop_or_pad(in.seg, dim);
  if (cfg.rescale_factor > 1) {
    img = downsample_image(img, cfg.rescale_factor);
    mask = downsample_label(mask, cfg.rescale_factor);
    zero_outside(img, mask);  // keep "0 outside the brain" true on the coarse grid
    if (in.has_seg()) seg = downsample_label(seg, cfg.rescale_factor);
  }
  SubjectSlices s;
  s.geom = img.geom;
  s.source_geom = source;
  s.height = int(img.geom.size[0]);
  s.width = int(img.geom.size[1]);
  s.depth = int(img.geom.size[2]);
  s.image = volume_to_slices(img);
  s.mask = volume_to_slices(mask);
  if (in.has_seg()) s.seg = volume_to_slices(seg);
  return s;
}

}  // namespace p2l
