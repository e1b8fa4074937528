#include "scoring/ScoreGrid.hpp"

namespace p2l {

int grid_points(int side, int stride) { return (side + stride - 1) / stride; }

FloatVolume combine_scores(const ScoreMaps& maps, ScoreComponent score) {
  if (score == ScoreComponent::kError) return maps.error;
  if (score == ScoreComponent::kVariance) return maps.variance;
  FloatVolume out = maps.error;
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] += maps.variance.data[i];
  return out;
}

}  // namespace p2l
