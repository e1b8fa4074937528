#include "eval/ScoreGrid.hpp"

#include <stdexcept>

namespace p2l {

int grid_points(int side, int stride) { return (side + stride - 1) / stride; }

FloatVolume combine_scores(const ScoreMaps& maps, const std::string& score) {
  if (score == "error") return maps.error;
  if (score == "variance") return maps.variance;
  if (score != "both") throw std::runtime_error("eval.score '" + score + "': expected error, variance or both");
  FloatVolume out = maps.error;
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] += maps.variance.data[i];
  return out;
}

}  // namespace p2l
