#pragma once
// Fusion of two anomaly maps, e.g. the Patch2Loc heatmap P with a pixel-wise map R (SPEC
// section 8). Both maps are normalised by statistics of healthy held-out in-brain voxels first.
#include <string>

#include "io/Volume.hpp"

namespace p2l {

struct MapStats {
  double mean = 0, std = 1, min = 0, max = 1;
  // z(x) = (x - mean) / std; unit(x) = max(0, (x - min) / (max - min)). A zero spread is
  // replaced by 1 so a constant healthy map does not divide by zero.
  double z(double x) const;
  double unit(double x) const;
};

// Accumulates MapStats over the in-brain voxels of several volumes (double sums).
class MapStatsAccumulator {
 public:
  void add(const FloatVolume& map, const LabelVolume& mask);
  MapStats result() const;  // throws when nothing was added
 private:
  double sum_ = 0, sum2_ = 0, min_ = 0, max_ = 0;
  size_t n_ = 0;
};

// mode: "product" = unit(P) * unit(R), "weighted" = w z(P) + (1 - w) z(R),
// "max" = max(z(P), z(R)); 0 outside the mask.
FloatVolume fuse(const FloatVolume& p, const FloatVolume& r, const LabelVolume& mask,
                 const std::string& mode, double w, const MapStats& sp, const MapStats& sr);

// Reads a map source's <dir>/<id>.nii.gz on the preprocessed grid `grid`. A map on the
// subject's input grid (`input`, when known: what p2l-evaluate itself writes, and what other
// tools produce from the original scans) is resampled onto `grid`. Throws naming the file and
// the subject when it is missing or on any other grid.
FloatVolume read_source_map(const std::string& dir, const std::string& id, const Geometry& grid,
                            const Geometry& input = Geometry{});

}  // namespace p2l
