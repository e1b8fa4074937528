#include "preprocess/InPlaneDownsampler.hpp"

#include <stdexcept>
#include <string>

namespace p2l {
namespace {

// Block means of `v` as double.
template <class T>
Volume<double> block_means(const Volume<T>& v, int f) {
  if (f < 1) throw std::runtime_error("rescale_factor " + std::to_string(f) + " must be >= 1");
  Volume<double> out(downsampled_geometry(v.geom, f), 0.0);
  const auto& s = out.geom.size;
  const double norm = 1.0 / (double(f) * f);
  for (size_t k = 0; k < s[2]; ++k)
    for (size_t j = 0; j < s[1]; ++j)
      for (size_t i = 0; i < s[0]; ++i) {
        double sum = 0;
        for (int b = 0; b < f; ++b)
          for (int a = 0; a < f; ++a) sum += double(v.at(i * f + a, j * f + b, k));
        out.at(i, j, k) = sum * norm;
      }
  return out;
}

}  // namespace

Geometry downsampled_geometry(const Geometry& in, int f) {
  Geometry g = in;
  const double shift = (f - 1) / 2.0;
  for (int d = 0; d < 2; ++d) {
    g.size[d] = in.size[d] / size_t(f);
    g.spacing[d] = in.spacing[d] * f;
  }
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) g.origin[r] += in.direction[r * 3 + c] * in.spacing[c] * shift;
  return g;
}

FloatVolume downsample_image(const FloatVolume& v, int f) {
  auto m = block_means(v, f);
  FloatVolume out(m.geom);
  for (size_t i = 0; i < m.data.size(); ++i) out.data[i] = float(m.data[i]);
  return out;
}

LabelVolume downsample_label(const LabelVolume& v, int f) {
  auto m = block_means(v, f);
  LabelVolume out(m.geom);
  for (size_t i = 0; i < m.data.size(); ++i) out.data[i] = m.data[i] >= 0.5 ? 1 : 0;
  return out;
}

}  // namespace p2l
