#include "store/SubjectSlices.hpp"

namespace p2l {
namespace {

template <class T>
Volume<T> to_volume(const std::vector<T>& zhw, const Geometry& g) {
  Volume<T> v(g);
  const size_t H = g.size[0], W = g.size[1], Z = g.size[2];
  for (size_t z = 0; z < Z; ++z)
    for (size_t h = 0; h < H; ++h)
      for (size_t w = 0; w < W; ++w) v.at(h, w, z) = zhw[(z * H + h) * W + w];
  return v;
}

template <class T>
std::vector<T> to_slices(const Volume<T>& v) {
  const size_t H = v.geom.size[0], W = v.geom.size[1], Z = v.geom.size[2];
  std::vector<T> out(H * W * Z);
  for (size_t z = 0; z < Z; ++z)
    for (size_t h = 0; h < H; ++h)
      for (size_t w = 0; w < W; ++w) out[(z * H + h) * W + w] = v.at(h, w, z);
  return out;
}

}  // namespace

FloatVolume slices_to_volume(const std::vector<float>& zhw, const Geometry& g) { return to_volume(zhw, g); }
LabelVolume slices_to_volume(const std::vector<uint8_t>& zhw, const Geometry& g) { return to_volume(zhw, g); }
std::vector<float> volume_to_slices(const FloatVolume& v) { return to_slices(v); }
std::vector<uint8_t> volume_to_slices(const LabelVolume& v) { return to_slices(v); }

}  // namespace p2l
