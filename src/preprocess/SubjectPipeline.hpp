#pragma once
// The per-subject preprocessing chain of SPEC section 3, composed from the step functions:
// geometry check, N4, histogram standardisation, crop/pad, percentile scaling, curvature flow,
// in-plane downsampling.
#include <string>
#include <vector>

#include "config/DataConfig.hpp"
#include "config/PreprocessConfig.hpp"
#include "io/SplitCsv.hpp"
#include "io/Volume.hpp"
#include "store/ShardFile.hpp"
#include "store/SubjectSlices.hpp"

namespace p2l {

// A split CSV has one img_path. It names the image of either contrast; the other contrast lives
// next to it with "/t1/" <-> "/t2/" in the folder and "_t1." <-> "_t2." in the file name
// (SPEC section 2 layout). Returns the path of `modality`.
std::string modality_image_path(const std::string& csv_image, Modality modality);

struct SubjectInputs {
  FloatVolume image;
  LabelVolume mask;
  LabelVolume seg;  // empty (no voxels) when the subject has no segmentation
  bool has_seg() const { return !seg.data.empty(); }
};

// Reads image (`image_path`), mask and seg; throws "<path>: <reason>" for unreadable files or
// when mask/seg are not on the image's grid within `tolerance`.
SubjectInputs load_subject_inputs(const std::string& image_path, const SubjectRecord& r,
                                  double tolerance);
// Steps that precede standardisation (N4 when enabled); landmarks are learned after these.
void correct_bias(SubjectInputs& in, const PreprocessConfig& cfg);
// The remaining steps; `standard` empty disables standardisation. Fills the input grid
// (`source_geom`) and `prov.crop_offset`; id, split, label and age are left to the caller.
SubjectSlices finish_subject(SubjectInputs in, const PreprocessConfig& cfg,
                             const std::vector<double>& standard, SubjectProvenance& prov);

}  // namespace p2l
