#include "scoring/Fusion.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "io/GridResampling.hpp"
#include "io/Nifti.hpp"
#include "io/Statistics.hpp"

namespace p2l {

double MapStats::z(double x) const { return (x - mean) / (std > 0 ? std : 1.0); }
double MapStats::unit(double x) const {
  const double range = max > min ? max - min : 1.0;
  return std::max(0.0, (x - min) / range);
}

double MapStats::surprise(double x) const {
  if (!sorted || sorted->empty()) throw std::runtime_error("fusion statistics: healthy values were not kept");
  const auto& v = *sorted;
  const double n = double(v.size());
  if (x > double(v.back())) return std::log(1 + n) + (x - double(v.back())) / (std > 0 ? std : 1.0);
  const double at_least = double(v.end() - std::lower_bound(v.begin(), v.end(), float(x)));
  return std::log((1 + n) / (1 + at_least));
}

void MapStatsAccumulator::add(const FloatVolume& map, const LabelVolume& mask) {
  for (size_t i = 0; i < map.data.size(); ++i) {
    if (!mask.data[i]) continue;
    const double x = map.data[i];
    min_ = n_ == 0 ? x : std::min(min_, x);
    max_ = n_ == 0 ? x : std::max(max_, x);
    sum_ += x, sum2_ += x * x, ++n_;
    if (keep_values_) values_.push_back(map.data[i]);
  }
}

MapStats MapStatsAccumulator::result() const {
  if (n_ == 0) throw std::runtime_error("fusion statistics: no healthy in-brain voxels");
  MapStats s;
  const MeanStd m = mean_std_from_sums(sum_, sum2_, n_);
  s.mean = m.mean, s.std = m.std;
  s.min = min_, s.max = max_;
  if (keep_values_) {
    auto sorted = std::make_shared<std::vector<float>>(values_);
    std::sort(sorted->begin(), sorted->end());
    s.sorted = std::move(sorted);
  }
  return s;
}

FloatVolume fuse(const FloatVolume& p, const FloatVolume& r, const LabelVolume& mask,
                 FusionMode mode, double w, const MapStats& sp, const MapStats& sr) {
  FloatVolume out(p.geom, 0.0f);
  for (size_t i = 0; i < p.data.size(); ++i) {
    if (!mask.data[i]) continue;
    const double a = p.data[i], b = r.data[i];
    double v;
    switch (mode) {
      case FusionMode::kProduct: v = sp.unit(a) * sr.unit(b); break;
      case FusionMode::kWeighted: v = w * sp.z(a) + (1 - w) * sr.z(b); break;
      case FusionMode::kMax: v = std::max(sp.z(a), sr.z(b)); break;
      case FusionMode::kFisher: v = sp.surprise(a) + sr.surprise(b); break;
      default: throw std::logic_error("fuse: a source alone (FusionMode::kNone) has nothing to fuse");
    }
    out.data[i] = float(v);
  }
  return out;
}

FloatVolume read_source_map(const std::string& dir, const std::string& id, const Geometry& grid,
                            const Geometry& input) {
  const std::string path = (std::filesystem::path(dir) / (id + ".nii.gz")).string();
  if (!std::filesystem::exists(path))
    throw std::runtime_error(path + ": no map for subject '" + id + "' in this map source's folder");
  FloatVolume v = read_nifti_float(path);
  const std::string diff = grid.mismatch(v.geom, 1e-3);
  if (!diff.empty() && input.voxels() > 0 && input.mismatch(v.geom, 1e-3).empty()) {
    v.geom = input;  // within tolerance is not identical
    return resample_linear(v, grid);
  }
  if (!diff.empty())
    throw std::runtime_error(path + ": map is on neither the preprocessed grid nor the input grid of subject '" +
                             id + "': " + diff);
  return v;
}

}  // namespace p2l
