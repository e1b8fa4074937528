#pragma once
// The in-memory volume every stage shares: a dense 3-D array in NIfTI/ITK index order
// (i fastest, then j, then k = axial slice) plus the physical grid it lives on.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace p2l {

struct Geometry {
  std::array<size_t, 3> size{0, 0, 0};
  std::array<double, 3> spacing{1, 1, 1};
  std::array<double, 3> origin{0, 0, 0};
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major 3x3

  size_t voxels() const { return size[0] * size[1] * size[2]; }
  // Why a tolerance: headers written by different tools round spacing and direction differently.
  // Returns an empty string when the grids match, else what differs.
  std::string mismatch(const Geometry& other, double tolerance) const;
};

template <class T>
struct Volume {
  Geometry geom;
  std::vector<T> data;

  Volume() = default;
  explicit Volume(const Geometry& g, T fill = T{}) : geom(g), data(g.voxels(), fill) {}

  size_t index(size_t i, size_t j, size_t k) const {
    return i + geom.size[0] * (j + geom.size[1] * k);
  }
  T& at(size_t i, size_t j, size_t k) { return data[index(i, j, k)]; }
  const T& at(size_t i, size_t j, size_t k) const { return data[index(i, j, k)]; }
};

using FloatVolume = Volume<float>;
using LabelVolume = Volume<uint8_t>;

}  // namespace p2l
