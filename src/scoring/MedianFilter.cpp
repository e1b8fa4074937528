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
  const auto& sz = in.geom.size;
  FloatVolume out(in.geom, 0.0f);
  const long r = size / 2;
  const size_t window = size_t(size) * size * size;
  tbb::parallel_for(size_t(0), sz[2], [&](size_t k) {
    std::vector<float> buf(window);
    for (size_t j = 0; j < sz[1]; ++j)
      for (size_t i = 0; i < sz[0]; ++i) {
        if (only && !only->at(i, j, k)) continue;
        if (size == 1) {
          out.at(i, j, k) = in.at(i, j, k);
          continue;
        }
        size_t n = 0;
        for (long dk = -r; dk <= r; ++dk)
          for (long dj = -r; dj <= r; ++dj)
            for (long di = -r; di <= r; ++di) {
              const long a = long(i) + di, b = long(j) + dj, c = long(k) + dk;
              const bool inside = a >= 0 && b >= 0 && c >= 0 && a < long(sz[0]) &&
                                  b < long(sz[1]) && c < long(sz[2]);
              buf[n++] = inside ? in.at(a, b, c) : 0.0f;
            }
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
