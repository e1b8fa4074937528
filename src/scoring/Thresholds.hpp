#pragma once
// Threshold rules (SPEC section 7). A voxel is predicted abnormal when its score is strictly
// greater than the threshold; only voxels inside the brain are considered.
#include <cstdint>
#include <vector>

namespace p2l {

// The in-brain scores and labels of one volume.
struct ScoredVolume {
  std::vector<float> score;
  std::vector<uint8_t> label;
};

struct DiceChoice {
  double threshold = 0;
  double dice = 0;  // mean Dice over the volumes at `threshold`
};

// Exact search over every distinct score value: the threshold maximising the mean Dice over
// `volumes` (one volume: the per-volume oracle). Predicting nothing is a candidate (threshold =
// the highest score); predicting every voxel gives a threshold just below the lowest score.
// Ties prefer the higher threshold. DiceThresholdSearch.hpp does it in two passes over
// volumes read one at a time; this runs both passes over volumes in memory.
DiceChoice best_dice_threshold(const std::vector<ScoredVolume>& volumes);

// q-th percentile (0..100, linear interpolation) of the pooled values (OrderStatistics.hpp for
// values read volume by volume).
double quantile_threshold(const std::vector<float>& values, double q);

// The lowest threshold whose fraction of values strictly above it is at most `fpr`.
double fpr_threshold(const std::vector<float>& values, double fpr);

}  // namespace p2l
