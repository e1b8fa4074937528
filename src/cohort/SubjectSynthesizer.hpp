#pragma once
// One synthetic subject: the template anatomy under a random affine and smooth non-linear warp,
// subject-specific tissue contrast, optional lesions (with tumour mass effect), a smooth
// multiplicative bias field and Rician noise; T1 and a T2-like contrast, skull-stripped.
#include <cstdint>

#include "cohort/LesionModel.hpp"
#include "cohort/TissueModel.hpp"
#include "io/Volume.hpp"

namespace p2l {

struct CohortConfig;

struct SyntheticSubject {
  FloatVolume t1, t2;   // zero outside the mask
  LabelVolume mask;     // brain mask
  LabelVolume seg;      // lesion labels (tumour: BraTS 1/2/4; others 1); empty for healthy
  LesionPlan lesions;
};

// The subject for `subject_seed`. Anatomy, contrast, bias and noise come from streams that do
// not depend on `kind`, so the same seed with and without lesions gives the same person.
SyntheticSubject synthesize_subject(const TissueModel& model, const CohortConfig& cfg, LesionKind kind,
                                    uint64_t subject_seed);

}  // namespace p2l
