#include "baseline/VoxelStatistics.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "io/Statistics.hpp"

namespace p2l {
namespace {

void check_size(const SubjectSlices& s, int z, int h, int w, const std::string& what) {
  if (s.depth != z || s.height != h || s.width != w || s.image.size() != size_t(z) * h * w)
    throw std::runtime_error("subject '" + s.id + "': grid " + std::to_string(s.depth) + " x " +
                             std::to_string(s.height) + " x " + std::to_string(s.width) + " differs from " +
                             what + " " + std::to_string(z) + " x " + std::to_string(h) + " x " +
                             std::to_string(w) + " (z-score needs one common grid)");
}

}  // namespace

void VoxelStatisticsAccumulator::add(const SubjectSlices& s) {
  if (n_ == 0) {
    depth_ = s.depth, height_ = s.height, width_ = s.width;
    sum_.assign(size_t(depth_) * height_ * width_, 0.0), sum2_.assign(sum_.size(), 0.0);
  }
  check_size(s, depth_, height_, width_, "the first training subject's");
  for (size_t i = 0; i < sum_.size(); ++i) sum_[i] += s.image[i], sum2_[i] += double(s.image[i]) * s.image[i];
  ++n_;
}

VoxelStatistics VoxelStatisticsAccumulator::result() const {
  if (n_ == 0) throw std::runtime_error("z-score: no healthy training volumes");
  VoxelStatistics st;
  st.depth = depth_, st.height = height_, st.width = width_;
  st.mean.resize(sum_.size()), st.std.resize(sum_.size());
  for (size_t i = 0; i < sum_.size(); ++i) {
    const MeanStd m = mean_std_from_sums(sum_[i], sum2_[i], n_);
    st.mean[i] = float(m.mean), st.std[i] = float(m.std);
  }
  return st;
}

VoxelStatistics fit_voxel_statistics(const std::vector<SubjectSlices>& healthy) {
  VoxelStatisticsAccumulator acc;
  for (const auto& s : healthy) acc.add(s);
  return acc.result();
}

std::vector<float> zscore_map(const SubjectSlices& s, const VoxelStatistics& st, double eps) {
  check_size(s, st.depth, st.height, st.width, "the z-score statistics'");
  std::vector<float> out(s.image.size(), 0.0f);
  for (size_t i = 0; i < out.size(); ++i)
    if (s.mask[i]) out[i] = float(std::abs(double(s.image[i]) - st.mean[i]) / (double(st.std[i]) + eps));
  return out;
}

}  // namespace p2l
