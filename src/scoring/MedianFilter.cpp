#include "scoring/MedianFilter.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace p2l {

FloatVolume median_filter(const FloatVolume& in, int size, const LabelVolume* only) {
  if (size < 1 || size % 2 == 0)
    throw std::runtime_error("eval.median_size: " + std::to_string(size) + " must be odd and >= 1");
  if (size == 1) {
    FloatVolume out = in;
    if (only) apply_mask(out, *only);
    return out;
  }
  const auto& sz = in.geom.size;
  const size_t r = size_t(size / 2);
  // A zero border of r voxels makes every window a fixed set of offsets from its centre, so the
  // inner loop gathers without bounds checks (the window reads 0 outside the volume, as before).
  const size_t px = sz[0] + 2 * r, py = sz[1] + 2 * r, pz = sz[2] + 2 * r;
  std::vector<float> padded(px * py * pz, 0.0f);
  for (size_t k = 0; k < sz[2]; ++k)
    for (size_t j = 0; j < sz[1]; ++j)
      std::copy_n(&in.at(0, j, k), sz[0], &padded[r + px * ((j + r) + py * (k + r))]);
  std::vector<long> offsets;
  offsets.reserve(size_t(size) * size * size);
  for (long dk = -long(r); dk <= long(r); ++dk)
    for (long dj = -long(r); dj <= long(r); ++dj)
      for (long di = -long(r); di <= long(r); ++di) offsets.push_back(di + long(px) * (dj + long(py) * dk));
  const size_t window = offsets.size();
  FloatVolume out(in.geom, 0.0f);
  tbb::parallel_for(size_t(0), sz[2], [&](size_t k) {
    std::vector<float> buf(window);
    for (size_t j = 0; j < sz[1]; ++j)
      for (size_t i = 0; i < sz[0]; ++i) {
        if (only && !only->at(i, j, k)) continue;
        const float* centre = &padded[(i + r) + px * ((j + r) + py * (k + r))];
        for (size_t t = 0; t < window; ++t) buf[t] = centre[offsets[t]];
        std::nth_element(buf.begin(), buf.begin() + window / 2, buf.end());
        out.at(i, j, k) = buf[window / 2];
      }
  });
  return out;
}

LabelVolume erode(const LabelVolume& mask, int radius) {
  if (radius <= 0) return mask;
  // A cube erosion is separable: erode along each axis in turn.
  LabelVolume cur = mask;
  const auto& sz = mask.geom.size;
  for (int axis = 0; axis < 3; ++axis) {
    LabelVolume next(mask.geom, 0);
    for (size_t k = 0; k < sz[2]; ++k)
      for (size_t j = 0; j < sz[1]; ++j)
        for (size_t i = 0; i < sz[0]; ++i) {
          const long idx[3] = {long(i), long(j), long(k)};
          bool all = true;
          for (long d = -radius; d <= radius && all; ++d) {
            long p[3] = {idx[0], idx[1], idx[2]};
            p[axis] += d;
            all = p[axis] >= 0 && p[axis] < long(sz[axis]) && cur.at(p[0], p[1], p[2]);
          }
          next.at(i, j, k) = all;
        }
    cur = std::move(next);
  }
  return cur;
}

void apply_mask(FloatVolume& heatmap, const LabelVolume& mask) {
  for (size_t i = 0; i < heatmap.data.size(); ++i)
    if (!mask.data[i]) heatmap.data[i] = 0.0f;
}

FloatVolume filter_and_mask(const FloatVolume& map, int size, const LabelVolume& mask) {
  FloatVolume h = median_filter(map, size, &mask);
  apply_mask(h, mask);
  return h;
}

}  // namespace p2l
