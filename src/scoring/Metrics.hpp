#pragma once
// Voxel- and slice-level detection metrics on flat arrays (SPEC section 7).
// Conventions for degenerate cases (docs/EVALUATION.md):
// - AUROC is NaN when the evaluated voxels hold only one class; AUPRC is NaN without positives.
// - A ratio whose denominator is 0 is 1 when prediction and ground truth are both empty and
//   0 otherwise (Dice, precision, recall); FPR is 0 and specificity 1 without negatives.
// NaN values are excluded from means and counted (Summary).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "io/Statistics.hpp"  // spearman (the metric beside these; io owns it)
#include "io/Volume.hpp"

namespace p2l {

struct RankingMetrics {
  double auroc = 0;  // trapezoid over distinct thresholds (ties: average rank)
  double auprc = 0;  // average precision, step-wise as scikit-learn's average_precision_score
};

// Scores and binary labels of the evaluated elements (already restricted to the brain).
RankingMetrics ranking_metrics(const std::vector<float>& score, const std::vector<uint8_t>& label);

// Copies score/label where mask != 0 (mask may be null: every element).
void select_in_mask(const float* score, const uint8_t* label, const uint8_t* mask, size_t n,
                    std::vector<float>& score_out, std::vector<uint8_t>& label_out);

struct Overlap {
  size_t tp = 0, fp = 0, fn = 0, tn = 0;
  double dice() const;
  double precision() const;
  double recall() const;
  double fpr() const;
  double specificity() const;
};

// Prediction = score > threshold, counted where mask != 0 (mask may be null).
Overlap overlap_at(const float* score, const uint8_t* label, const uint8_t* mask, size_t n,
                   double threshold);
Overlap overlap_of(const uint8_t* pred, const uint8_t* label, const uint8_t* mask, size_t n);

// Volume of the non-zero voxels in millilitres.
double lesion_volume_ml(const uint8_t* binary, size_t n, const Geometry& g);

// Slice-level scores: per axial slice (NIfTI axis k) with brain, the mean score inside the
// brain is the slice's anomaly score and its label is 1 when any lesion voxel lies in it.
void slice_scores(const FloatVolume& score, const LabelVolume& mask, const LabelVolume* seg,
                  std::vector<float>& slice_score, std::vector<uint8_t>& slice_label);

}  // namespace p2l
