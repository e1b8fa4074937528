#pragma once
// SPEC section 3 step 7: in-plane (i, j) downsampling by an integer factor f; slices (k) keep
// their count. Output size floor(size / f) (a trailing partial block is dropped), spacing * f,
// and the origin moves to the centre of the first block: origin + direction * spacing * (f-1)/2.
#include "io/Volume.hpp"

namespace p2l {

Geometry downsampled_geometry(const Geometry& in, int factor);
// Mean of each f x f block.
FloatVolume downsample_image(const FloatVolume& v, int factor);
// 1 where at least half of the block is 1 (block mean >= 0.5).
LabelVolume downsample_label(const LabelVolume& v, int factor);

}  // namespace p2l
