#include "eval/HeatmapCache.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "io/AtomicFile.hpp"
#include "io/Nifti.hpp"

namespace p2l {

HeatmapCache::HeatmapCache(RunLayout run, std::string stamp)
    : run_(std::move(run)), stamp_(std::move(stamp)) {}

std::string HeatmapCache::heatmap_path(const std::string& split, const std::string& id) const {
  return run_.heatmap_dir(split) + "/" + id + ".nii.gz";
}

std::string HeatmapCache::component_path(const std::string& split, const std::string& id,
                                         const std::string& component) const {
  return run_.heatmap_dir(split) + "/" + id + "_" + component + ".nii.gz";
}

std::string HeatmapCache::segmentation_path(const std::string& split, const std::string& id,
                                            const std::string& rule) const {
  return run_.heatmap_dir(split) + "/" + id + "_seg_" + rule + ".nii.gz";
}

std::string HeatmapCache::raw_prefix(const std::string& split, const std::string& id) const {
  return run_.raw_heatmap_dir(split) + "/" + id;
}

bool HeatmapCache::has_raw(const std::string& split, const std::string& id) const {
  const std::string p = raw_prefix(split, id);
  const std::optional<std::string> stamp = read_file_if_present(p + ".stamp");
  return stamp && *stamp == stamp_ && std::filesystem::exists(p + "_error.nii.gz") &&
         std::filesystem::exists(p + "_variance.nii.gz");
}

void HeatmapCache::write_raw(const std::string& split, const std::string& id, const ScoreMaps& m) const {
  const std::string p = raw_prefix(split, id);
  make_parent_dirs(p);
  write_nifti(p + "_error.nii.gz", m.error);
  write_nifti(p + "_variance.nii.gz", m.variance);
  write_file_atomic(p + ".stamp", stamp_);
}

ScoreMaps HeatmapCache::read_raw(const std::string& split, const std::string& id) const {
  const std::string p = raw_prefix(split, id);
  return {read_nifti_float(p + "_error.nii.gz"), read_nifti_float(p + "_variance.nii.gz")};
}

std::string heatmap_stamp(const std::string& checkpoint_path, int stride, double patch_fraction,
                          double min_brain_fraction) {
  std::ifstream in(checkpoint_path, std::ios::binary);
  if (!in) throw std::runtime_error(checkpoint_path + ": cannot read checkpoint");
  uint64_t h = 1469598103934665603ull;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) h = (h ^ uint8_t(buf[i])) * 1099511628211ull;
    if (!in) break;
  }
  char out[160];
  std::snprintf(out, sizeof out, "checkpoint_fnv1a=%016llx stride=%d patch_fraction=%.9g min_brain_fraction=%.9g outputs=input-grid\n",
                static_cast<unsigned long long>(h), stride, patch_fraction, min_brain_fraction);
  return out;
}

}  // namespace p2l
