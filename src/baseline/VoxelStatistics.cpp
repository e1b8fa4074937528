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

VoxelStatistics fit_voxel_statistics(const std::vector<SubjectSlices>& healthy) {
  if (healthy.empty()) throw std::runtime_error("z-score: no healthy training volumes");
  const SubjectSlices& ref = healthy.front();
  VoxelStatistics st;
  st.depth = ref.depth, st.height = ref.height, st.width = ref.width;
  const size_t n = size_t(st.depth) * st.height * st.width;
  std::vector<double> sum(n, 0.0), sum2(n, 0.0);
  for (const auto& s : healthy) {
    check_size(s, st.depth, st.height, st.width, "the first training subject's");
    for (size_t i = 0; i < n; ++i) sum[i] += s.image[i], sum2[i] += double(s.image[i]) * s.image[i];
  }
  st.mean.resize(n), st.std.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const MeanStd m = mean_std_from_sums(sum[i], sum2[i], healthy.size());
    st.mean[i] = float(m.mean), st.std[i] = float(m.std);
  }
  return st;
}

std::vector<float> zscore_map(const SubjectSlices& s, const VoxelStatistics& st, double eps) {
  check_size(s, st.depth, st.height, st.width, "the z-score statistics'");
  std::vector<float> out(s.image.size(), 0.0f);
  for (size_t i = 0; i < out.size(); ++i)
    if (s.mask[i]) out[i] = float(std::abs(double(s.image[i]) - st.mean[i]) / (double(st.std[i]) + eps));
  return out;
}

}  // namespace p2l
