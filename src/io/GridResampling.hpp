#pragma once
// Maps a volume from one grid onto another through world coordinates: every target voxel takes
// the value at its physical position in the source (linear or nearest-neighbour interpolation,
// 0 outside the source). Undoes a centred crop or pad and an in-plane downsampling in one step,
// so maps computed on the preprocessed grid go back onto the input scan's grid.
#include "io/Volume.hpp"

namespace p2l {

FloatVolume resample_linear(const FloatVolume& v, const Geometry& target);
LabelVolume resample_nearest(const LabelVolume& v, const Geometry& target);

}  // namespace p2l
