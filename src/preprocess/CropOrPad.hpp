#pragma once
// Centred crop or zero-pad to a target grid size, keeping the physical position of every kept
// voxel: the output grid overlays the input exactly.
#include <array>

#include "io/Volume.hpp"

namespace p2l {

// Per axis, the input index of output voxel 0: (in - out) / 2 when cropping (integer division),
// -((out - in) / 2) when padding; the odd voxel goes to the end in both cases.
std::array<long, 3> centred_offset(const std::array<size_t, 3>& in, const std::array<size_t, 3>& out);
// The output grid: size `out`, origin' = origin + direction * (spacing * offset).
Geometry crop_or_pad_geometry(const Geometry& in, const std::array<size_t, 3>& out);

template <class T>
Volume<T> crop_or_pad(const Volume<T>& v, const std::array<size_t, 3>& out);

}  // namespace p2l
