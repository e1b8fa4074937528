#pragma once
// Validates a NIfTI-1 file's raw byte stream, which ITK does not fully check: a truncated or
// corrupt gzip stream, empty dimensions and non-finite float voxels (ITK silently reads NaN
// as 0 and short data as zeros).
#include <string>

namespace p2l {

// Throws std::runtime_error starting with `path` and the reason; returns normally when valid.
void check_nifti_stream(const std::string& path);

}  // namespace p2l
