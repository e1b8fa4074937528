#include "eval/MultiScaleMaps.hpp"

#include <iostream>

#include "dist/World.hpp"
#include "eval/SubjectFailures.hpp"
#include "io/Nifti.hpp"
#include "io/ProgressMeter.hpp"
#include "scoring/MethodScoring.hpp"
#include "scoring/ScaleFusion.hpp"
#include "store/StoreReader.hpp"

namespace p2l {
namespace {

constexpr const char* kTool = "p2l-evaluate";

// Every scale's map of subject `id`, as scoring builds a Patch2Loc map (MethodScoring's
// patch2loc_map), and the subject's brain mask.
struct ScaleMaps {
  std::vector<FloatVolume> maps;
  LabelVolume mask;
};

ScaleMaps scale_maps(const std::string& split, const std::string& id, const std::vector<ScaleSettings>& scales,
                     const std::vector<HeatmapCache>& caches, const EvalConfig& eval, const StoreReader& store,
                     const MapFilter& filter) {
  for (size_t i = 0; i < scales.size(); ++i)
    if (!caches[i].has_raw(split, id))
      throw std::runtime_error("no heatmap of scale " + scales[i].source + " (its heatmap failed above)");
  const SubjectSlices s = store.load(split, id);
  EvalSubject e;
  e.mask = slices_to_volume(s.mask, s.geom);
  ScaleMaps out;
  for (size_t i = 0; i < scales.size(); ++i) {
    e.raw = caches[i].read_raw(split, id);
    Method m;
    m.score = eval.score, m.median_size = scales[i].median_size;
    out.maps.push_back(patch2loc_map(e, m, eval.erode_mask, filter));
  }
  out.mask = erode(e.mask, eval.erode_mask);
  return out;
}

}  // namespace

std::vector<std::string> multiscale_map_dirs(const std::vector<ScaleSettings>& scales, const EvalConfig& eval,
                                             const RunLayout& run) {
  std::vector<std::string> dirs;
  if (scales.size() < 2) return dirs;
  for (size_t i = 1; i < scales.size(); ++i) dirs.push_back(run.map_dir(scales[i].source));
  for (const MultiScaleRule r : eval.multiscale_rules) dirs.push_back(run.map_dir(multiscale_source_name(r)));
  return dirs;
}

MultiScalePhase write_multiscale_maps(const std::vector<ScaleSettings>& scales, const std::vector<HeatmapCache>& caches,
                                      const EvalConfig& eval, const RunLayout& run, const StoreReader& store,
                                      const std::vector<std::string>& splits, const std::string& reference,
                                      const MapFilter& filter, World& world, double progress_seconds) {
  MultiScalePhase out;
  const std::string tag = std::string(kTool) + " rank " + std::to_string(world.rank()) + "/" + std::to_string(world.size());
  // The healthy statistics of every scale, from the reference volumes that every scale mapped.
  std::vector<ScaleStatsAccumulator> acc(scales.size(), ScaleStatsAccumulator(eval.multiscale_voxel_std_floor));
  int reference_volumes = 0;
  for (const auto& id : store.subjects(reference)) {
    ScaleMaps m;
    try {
      m = scale_maps(reference, id, scales, caches, eval, store, filter);
    } catch (const std::exception&) {
      continue;  // counted with its split's subjects below
    }
    for (size_t i = 0; i < scales.size(); ++i) acc[i].add(m.maps[i], m.mask);
    ++reference_volumes;
  }
  if (reference_volumes == 0)
    throw std::runtime_error("multi-scale maps: no volume of the healthy reference split '" + reference +
                             "' has a heatmap at every scale");
  std::vector<ScaleStats> stats;
  for (const auto& a : acc) stats.push_back(a.result());
  if (world.rank() == 0)
    std::cerr << kTool + std::string(": multi-scale statistics from ") + std::to_string(reference_volumes) +
                     " healthy reference volume(s) of '" + reference + "'\n";

  std::vector<std::pair<std::string, std::string>> mine;  // (split, id), dealt as the heatmaps are
  size_t dealt = 0;
  for (const auto& split : splits)
    for (const auto& id : store.subjects(split))
      if (int(dealt++ % size_t(world.size())) == world.rank()) mine.push_back({split, id});
  ProgressMeter progress(tag + ": multi-scale maps", long(mine.size()), progress_seconds, std::cerr);
  SubjectFailures failures;
  for (size_t k = 0; k < mine.size(); ++k) {
    const auto& [split, id] = mine[k];
    try {
      const ScaleMaps m = scale_maps(split, id, scales, caches, eval, store, filter);
      for (size_t i = 1; i < scales.size(); ++i)
        write_nifti(run.map_dir(scales[i].source) + "/" + id + ".nii.gz", m.maps[i]);
      for (const MultiScaleRule r : eval.multiscale_rules)
        write_nifti(run.map_dir(multiscale_source_name(r)) + "/" + id + ".nii.gz", fuse_scales(m.maps, m.mask, r, stats));
    } catch (const std::exception& e) {
      failures.add(split, id, e.what());
    }
    progress.update(long(k + 1));
  }
  out.seconds = progress.elapsed_seconds();
  out.failed = world.all_reduce_sum(failures.count());
  const std::string summary = failures.gather_summary(world, kTool);
  if (world.rank() == 0) std::cerr << summary;
  return out;
}

}  // namespace p2l
