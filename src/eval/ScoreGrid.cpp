#include "eval/ScoreGrid.hpp"

#include <stdexcept>

namespace p2l {

int grid_points(int side, int stride) { return (side + stride - 1) / stride; }

std::vector<float> upsample_grid(const std::vector<float>& grid, int gh, int gw, int stride,
                                 int height, int width) {
  std::vector<float> out(size_t(height) * width);
  // Separable: interpolation weights of one axis.
  auto weights = [&](int pixel, int n, int& g0, int& g1, float& f) {
    g0 = std::min(pixel / stride, n - 1);
    g1 = std::min(g0 + 1, n - 1);
    f = g1 == g0 ? 0.0f : float(pixel - g0 * stride) / float(stride);
  };
  for (int y = 0; y < height; ++y) {
    int y0, y1;
    float fy;
    weights(y, gh, y0, y1, fy);
    for (int x = 0; x < width; ++x) {
      int x0, x1;
      float fx;
      weights(x, gw, x0, x1, fx);
      const float a = grid[size_t(y0) * gw + x0], b = grid[size_t(y0) * gw + x1];
      const float c = grid[size_t(y1) * gw + x0], d = grid[size_t(y1) * gw + x1];
      out[size_t(y) * width + x] =
          (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
    }
  }
  return out;
}

FloatVolume combine_scores(const ScoreMaps& maps, const std::string& score) {
  if (score == "error") return maps.error;
  if (score == "variance") return maps.variance;
  if (score != "both") throw std::runtime_error("eval.score '" + score + "': expected error, variance or both");
  FloatVolume out = maps.error;
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] += maps.variance.data[i];
  return out;
}

}  // namespace p2l
