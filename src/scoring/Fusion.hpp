#pragma once
// Fusion of two anomaly maps, e.g. the Patch2Loc heatmap P with a pixel-wise map R (SPEC
// section 8). Both maps are normalised by statistics of healthy held-out in-brain voxels first.
#include <memory>
#include <string>
#include <vector>

#include "config/EvalChoices.hpp"
#include "io/Volume.hpp"

namespace p2l {

struct MapStats {
  double mean = 0, std = 1, min = 0, max = 1;
  // z(x) = (x - mean) / std; unit(x) = max(0, (x - min) / (max - min)). A zero spread is
  // replaced by 1 so a constant healthy map does not divide by zero.
  double z(double x) const;
  double unit(double x) const;
  // Healthy surprise -ln p(x), p(x) = (1 + #{healthy values >= x}) / (1 + N) from the sorted
  // healthy values (kept only when the accumulator was asked for them): 0 at or below the
  // healthy minimum, ln(1 + N) at the maximum, and beyond it growing by 1 per healthy standard
  // deviation, so values the healthy reference never reached keep their order.
  double surprise(double x) const;
  std::shared_ptr<const std::vector<float>> sorted;
};

// Accumulates MapStats over the in-brain voxels of several volumes (double sums).
class MapStatsAccumulator {
 public:
  // `keep_values`: also keep every value for MapStats::surprise (the fisher fusion).
  explicit MapStatsAccumulator(bool keep_values = false) : keep_values_(keep_values) {}
  void add(const FloatVolume& map, const LabelVolume& mask);
  MapStats result() const;  // throws when nothing was added
 private:
  bool keep_values_;
  double sum_ = 0, sum2_ = 0, min_ = 0, max_ = 0;
  size_t n_ = 0;
  std::vector<float> values_;
};

// mode: product = unit(P) * unit(R), weighted = w z(P) + (1 - w) z(R),
// max = max(z(P), z(R)), fisher = surprise(P) + surprise(R) (Fisher's combination of the
// healthy tail probabilities: a map that is blind to a lesion adds healthy-looking noise there
// instead of zeroing the other map's evidence, as the product does); 0 outside the mask.
FloatVolume fuse(const FloatVolume& p, const FloatVolume& r, const LabelVolume& mask,
                 FusionMode mode, double w, const MapStats& sp, const MapStats& sr);

// Reads a map source's <dir>/<id>.nii.gz on the preprocessed grid `grid`. A map on the
// subject's input grid (`input`, when known: what p2l-evaluate itself writes, and what other
// tools produce from the original scans) is resampled onto `grid`. Throws naming the file and
// the subject when it is missing or on any other grid.
FloatVolume read_source_map(const std::string& dir, const std::string& id, const Geometry& grid,
                            const Geometry& input = Geometry{});

}  // namespace p2l
