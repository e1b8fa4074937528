#pragma once
// Heatmaps on disk, computed once and reused by every scoring of the methods; the folders are the run's
// (config/RunLayout: <split> = heatmaps/<split>, <split>/raw = heatmaps/<split>/raw):
//   <split>/<id>.nii.gz            the configured heatmap (eval.score, median, mask) on
//                                  the input scan's grid (eval/InputGridOutputs.hpp)
//   <split>/<id>_{error,variance}.nii.gz   its components, on the input grid
//   <split>/<id>_seg_<rule>.nii.gz the predicted mask of a threshold rule, input grid
//   <split>/raw/<id>_error.nii.gz   raw components before median filtering and masking,
//                                   on the preprocessed grid (what scoring reads)
//   <split>/raw/<id>_variance.nii.gz
//   <split>/raw/<id>.stamp          what produced them (checkpoint hash, stride, patch rule)
// A subject is reused when its stamp matches the current one.
#include <string>

#include "config/RunLayout.hpp"
#include "scoring/ScoreGrid.hpp"

namespace p2l {

class HeatmapCache {
 public:
  HeatmapCache(RunLayout run, std::string stamp);

  std::string heatmap_path(const std::string& split, const std::string& id) const;
  std::string component_path(const std::string& split, const std::string& id, const std::string& component) const;
  std::string segmentation_path(const std::string& split, const std::string& id, const std::string& rule) const;
  bool has_raw(const std::string& split, const std::string& id) const;
  // Writes both components, then the stamp (last, so a crash leaves no valid stamp).
  void write_raw(const std::string& split, const std::string& id, const ScoreMaps& maps) const;
  // Throws naming the file when a component is missing.
  ScoreMaps read_raw(const std::string& split, const std::string& id) const;

 private:
  std::string raw_prefix(const std::string& split, const std::string& id) const;
  RunLayout run_;
  std::string stamp_;
};

// A stable text identifying what produced raw maps: FNV-1a hash of the checkpoint file's bytes
// plus the inference settings that change the raw scores.
std::string heatmap_stamp(const std::string& checkpoint_path, int stride, double patch_fraction,
                          double min_brain_fraction);

}  // namespace p2l
