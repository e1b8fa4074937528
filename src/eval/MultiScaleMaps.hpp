#pragma once
// p2l-evaluate's multi-scale phase (eval.scales, docs/EVALUATION.md "Multi-scale"), after every
// scale's raw heatmaps are cached: each scale's map of a subject (eval.score, the scale's median
// filter, the mask) and the multi-scale rules over all scales (scoring/ScaleFusion.hpp), written
// as map sources on the preprocessed grid, ROOT/maps/<source>/<id>.nii.gz, which scoring reads
// like any other source. The rules' healthy statistics come from the healthy reference split;
// every rank fits them itself (the same bytes in, the same statistics out) and writes its share
// of the subjects.
#include <string>
#include <vector>

#include "config/EvalConfig.hpp"
#include "config/RunLayout.hpp"
#include "eval/HeatmapCache.hpp"
#include "eval/ScaleSet.hpp"
#include "scoring/MedianFilter.hpp"

namespace p2l {

class StoreReader;
class World;

struct MultiScalePhase {
  int failed = 0;      // subjects without their multi-scale maps, over every rank
  double seconds = 0;  // this rank's share
};

// `scales[0]` is the reference scale (eval.checkpoint); `caches[i]` holds scale i's raw maps.
// Collective over `world`.
MultiScalePhase write_multiscale_maps(const std::vector<ScaleSettings>& scales, const std::vector<HeatmapCache>& caches,
                                      const EvalConfig& eval, const RunLayout& run, const StoreReader& store,
                                      const std::vector<std::string>& splits, const std::string& reference,
                                      const MapFilter& filter, World& world, double progress_seconds);

// The folders write_multiscale_maps writes (every other scale's and every rule's), which the
// run's rank 0 empties before any rank writes, so no map of an earlier evaluation is read.
std::vector<std::string> multiscale_map_dirs(const std::vector<ScaleSettings>& scales, const EvalConfig& eval,
                                             const RunLayout& run);

}  // namespace p2l
