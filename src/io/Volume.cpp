#include "io/Volume.hpp"

#include <cmath>
#include <sstream>

namespace p2l {

std::string Geometry::mismatch(const Geometry& o, double tol) const {
  std::ostringstream os;
  auto vec = [](const auto& a) {
    std::ostringstream s;
    s << "(";
    for (size_t i = 0; i < a.size(); ++i) s << (i ? ", " : "") << a[i];
    s << ")";
    return s.str();
  };
  if (size != o.size) {
    os << "size " << vec(size) << " vs " << vec(o.size);
    return os.str();
  }
  for (int d = 0; d < 3; ++d)
    if (std::abs(spacing[d] - o.spacing[d]) > tol * std::max(1.0, std::abs(spacing[d]))) {
      os << "spacing " << vec(spacing) << " vs " << vec(o.spacing);
      return os.str();
    }
  for (int d = 0; d < 9; ++d)
    if (std::abs(direction[d] - o.direction[d]) > tol) {
      os << "direction " << vec(direction) << " vs " << vec(o.direction);
      return os.str();
    }
  // Origins are compared relative to the voxel size: half a voxel off means another grid.
  for (int d = 0; d < 3; ++d)
    if (std::abs(origin[d] - o.origin[d]) > std::max(tol, 1e-3) * 100 * spacing[d]) {
      os << "origin " << vec(origin) << " vs " << vec(o.origin);
      return os.str();
    }
  return "";
}

}  // namespace p2l
