#pragma once
// NIfTI read and write (.nii and .nii.gz) through ITK; ITK stays inside Nifti.cpp.
#include <string>

#include "io/Volume.hpp"

namespace p2l {

// Reads a 3-D scalar image as float. Throws std::runtime_error naming `path` and the reason:
// missing file, unreadable/corrupt/truncated data, not 3-D, empty, NaN or Inf voxels.
FloatVolume read_nifti_float(const std::string& path);
// Reads a 3-D label image (mask or segmentation); any non-zero voxel becomes 1.
LabelVolume read_nifti_label(const std::string& path);
// Reads only the header geometry (cheap: no voxel data).
Geometry read_nifti_geometry(const std::string& path);

// Writes atomically (temporary file, then rename). Compression follows the extension.
void write_nifti(const std::string& path, const FloatVolume& v);
void write_nifti(const std::string& path, const LabelVolume& v);

}  // namespace p2l
