#pragma once
// One preprocessed subject as training and evaluation see it: axial slices [Z][H][W] (C order,
// slice-major), with H = NIfTI axis i and W = NIfTI axis j, so slices[z][h][w] is voxel
// (i=h, j=w, k=z) of the preprocessed grid `geom`.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "io/Volume.hpp"

namespace p2l {

struct SubjectSlices {
  std::string id;
  std::string split;
  int label = 0;
  double age = NAN;  // NaN when unknown
  int depth = 0, height = 0, width = 0;  // Z, H, W
  std::vector<float> image;    // Z*H*W, in [0, 1] inside the brain, 0 outside
  std::vector<uint8_t> mask;   // Z*H*W, 1 inside the brain
  std::vector<uint8_t> seg;    // Z*H*W, empty when the subject has no segmentation
  Geometry geom;               // grid of the preprocessed volume (size = {H, W, Z})
  Geometry source_geom;        // grid of the input scan (size 0: unknown, the store lacks it)

  size_t slice_size() const { return size_t(height) * width; }
  const float* image_slice(int z) const { return image.data() + z * slice_size(); }
  const uint8_t* mask_slice(int z) const { return mask.data() + z * slice_size(); }
  bool has_seg() const { return !seg.empty(); }
};

// Converts between the slice layout above and NIfTI-ordered volumes on `geom`.
FloatVolume slices_to_volume(const std::vector<float>& zhw, const Geometry& geom);
LabelVolume slices_to_volume(const std::vector<uint8_t>& zhw, const Geometry& geom);
std::vector<float> volume_to_slices(const FloatVolume& v);
std::vector<uint8_t> volume_to_slices(const LabelVolume& v);

}  // namespace p2l
