#pragma once
// The subject id every output is named by. Split CSVs give `img_name` in more than one style:
// the project's cohort and BraTS give a bare name ("BraTS2021_00538"), the published IXI and
// WMH splits give the T1 file name ("IXI076-Guys-0753_t1.nii.gz"). Used as a file name stem,
// the latter breaks outputs (a "<id>.nii.gz" with the extension twice) and names the outputs of
// a T2 run "_t1"; the clean id is the same subject in every style and for either contrast.
#include <string>

namespace p2l {

// `img_name` without a trailing NIfTI extension (".nii.gz", ".nii", any case) and then without
// a trailing contrast suffix naming a modality the project reads ("_t1", "_t2", any case):
// "IXI076-Guys-0753_t1.nii.gz" -> "IXI076-Guys-0753", "patient26" -> "patient26". Throws when
// the result is empty or holds a '/' (it is used as a file name).
std::string subject_id_from_img_name(const std::string& img_name);

}  // namespace p2l
