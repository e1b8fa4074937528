#pragma once
// PNG previews of the cohort: one row per subject, a few axial slices, T1 and T2 side by side,
// the segmentation outlined in red, so a person can check the cohort at a glance.
#include <string>
#include <vector>

#include "report/PngImage.hpp"

namespace p2l {

struct SyntheticSubject;

// One preview row for `subject` (slices through the lesion when there is one, else through
// the middle of the brain), headed by `label`.
RgbImage preview_row(const SyntheticSubject& subject, const std::string& label, int slices);
// Stacks rows under a title and writes the PNG atomically.
void write_preview(const std::string& path, const std::string& title, const std::vector<RgbImage>& rows);

}  // namespace p2l
