#include "scoring/Metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace p2l {

RankingMetrics ranking_metrics(const std::vector<float>& score, const std::vector<uint8_t>& label) {
  const size_t n = score.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return score[a] > score[b]; });
  size_t pos = 0;
  for (uint8_t y : label) pos += y != 0;
  const size_t neg = n - pos;
  RankingMetrics m;
  m.auroc = (pos == 0 || neg == 0) ? NAN : 0.0;
  m.auprc = pos == 0 ? NAN : 0.0;
  if (pos == 0 && neg == 0) return m;
  // Walk the distinct thresholds from the highest: each group of tied scores enters at once,
  // which is what makes ties count as average ranks (AUROC) and sklearn's step rule (AP).
  size_t tp = 0, fp = 0;
  double prev_tpr = 0, prev_fpr = 0, prev_recall = 0;
  for (size_t i = 0; i < n;) {
    const float s = score[order[i]];
    size_t j = i;
    for (; j < n && score[order[j]] == s; ++j) (label[order[j]] ? tp : fp)++;
    i = j;
    if (pos > 0 && neg > 0) {
      const double tpr = double(tp) / pos, fpr = double(fp) / neg;
      m.auroc += (fpr - prev_fpr) * (tpr + prev_tpr) / 2;
      prev_tpr = tpr, prev_fpr = fpr;
    }
    if (pos > 0) {
      const double recall = double(tp) / pos;
      m.auprc += (recall - prev_recall) * double(tp) / double(tp + fp);
      prev_recall = recall;
    }
  }
  return m;
}

void select_in_mask(const float* score, const uint8_t* label, const uint8_t* mask, size_t n,
                    std::vector<float>& score_out, std::vector<uint8_t>& label_out) {
  score_out.clear();
  label_out.clear();
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i]) continue;
    score_out.push_back(score[i]);
    label_out.push_back(label ? uint8_t(label[i] != 0) : 0);
  }
}

namespace {
// 0/0: perfect (1) when prediction and truth are both empty, else 0.
double ratio(size_t num, size_t den, bool both_empty) {
  return den == 0 ? (both_empty ? 1.0 : 0.0) : double(num) / double(den);
}
}  // namespace

double Overlap::dice() const { return ratio(2 * tp, 2 * tp + fp + fn, tp + fp + fn == 0); }
double Overlap::precision() const { return ratio(tp, tp + fp, tp + fp + fn == 0); }
double Overlap::recall() const { return ratio(tp, tp + fn, tp + fp + fn == 0); }
double Overlap::fpr() const { return fp + tn == 0 ? 0.0 : double(fp) / double(fp + tn); }
double Overlap::specificity() const { return 1.0 - fpr(); }

Overlap overlap_at(const float* score, const uint8_t* label, const uint8_t* mask, size_t n,
                   double threshold) {
  Overlap o;
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i]) continue;
    const bool p = score[i] > threshold, y = label && label[i];
    (p ? (y ? o.tp : o.fp) : (y ? o.fn : o.tn))++;
  }
  return o;
}

Overlap overlap_of(const uint8_t* pred, const uint8_t* label, const uint8_t* mask, size_t n) {
  Overlap o;
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i]) continue;
    const bool p = pred[i], y = label && label[i];
    (p ? (y ? o.tp : o.fp) : (y ? o.fn : o.tn))++;
  }
  return o;
}

double lesion_volume_ml(const uint8_t* binary, size_t n, const Geometry& g) {
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) count += binary[i] != 0;
  return double(count) * g.spacing[0] * g.spacing[1] * g.spacing[2] / 1000.0;
}

void slice_scores(const FloatVolume& score, const LabelVolume& mask, const LabelVolume* seg,
                  std::vector<float>& slice_score, std::vector<uint8_t>& slice_label) {
  const size_t plane = score.geom.size[0] * score.geom.size[1];
  for (size_t k = 0; k < score.geom.size[2]; ++k) {
    double sum = 0;
    size_t brain = 0;
    bool lesion = false;
    for (size_t i = k * plane; i < (k + 1) * plane; ++i) {
      lesion = lesion || (seg && seg->data[i]);
      if (!mask.data[i]) continue;
      sum += score.data[i];
      ++brain;
    }
    if (brain == 0) continue;
    slice_score.push_back(float(sum / brain));
    slice_label.push_back(lesion);
  }
}

}  // namespace p2l
