#include "preprocess/CropOrPad.hpp"

namespace p2l {

std::array<long, 3> centred_offset(const std::array<size_t, 3>& in, const std::array<size_t, 3>& out) {
  std::array<long, 3> off{};
  for (int d = 0; d < 3; ++d)
    off[d] = in[d] >= out[d] ? long(in[d] - out[d]) / 2 : -long(out[d] - in[d]) / 2;
  return off;
}

Geometry crop_or_pad_geometry(const Geometry& in, const std::array<size_t, 3>& out) {
  auto off = centred_offset(in.size, out);
  Geometry g = in;
  g.size = out;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) g.origin[r] += in.direction[r * 3 + c] * in.spacing[c] * off[c];
  return g;
}

template <class T>
Volume<T> crop_or_pad(const Volume<T>& v, const std::array<size_t, 3>& out) {
  auto off = centred_offset(v.geom.size, out);
  Volume<T> r(crop_or_pad_geometry(v.geom, out), T{});
  for (size_t k = 0; k < out[2]; ++k) {
    long sk = long(k) + off[2];
    if (sk < 0 || sk >= long(v.geom.size[2])) continue;
    for (size_t j = 0; j < out[1]; ++j) {
      long sj = long(j) + off[1];
      if (sj < 0 || sj >= long(v.geom.size[1])) continue;
      for (size_t i = 0; i < out[0]; ++i) {
        long si = long(i) + off[0];
        if (si >= 0 && si < long(v.geom.size[0])) r.at(i, j, k) = v.at(si, sj, sk);
      }
    }
  }
  return r;
}

template FloatVolume crop_or_pad(const FloatVolume&, const std::array<size_t, 3>&);
template LabelVolume crop_or_pad(const LabelVolume&, const std::array<size_t, 3>&);

}  // namespace p2l
