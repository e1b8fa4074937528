#pragma once
// The map sources beside Patch2Loc. The built-in baselines, `zscore` (voxel-wise intensity
// z-score of the healthy training split) and `ae` (slice autoencoder residual), are computed by
// p2l-evaluate into run.output_dir/maps/<name>/<id>.nii.gz on each input scan's grid, like the
// heatmaps (median-filtered on the preprocessed grid, 0 outside the brain), and read back like
// any external folder (eval.external_maps). Each built-in folder holds a .stamp of what produced it (statistics or
// checkpoint hash and settings); maps with another stamp are recomputed.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/SubjectSlices.hpp"

namespace p2l {

struct Config;

// Every map source name the config uses (eval.sources, eval.fusion_pairs) other than
// patch2loc, with its folder; throws naming the key on an unknown name or a bad entry.
std::map<std::string, std::string> map_source_dirs(const Config& cfg);

class BaselineMaps {
 public:
  // Prepares the built-in baselines the config uses: fits the z-score statistics from
  // data.train_split (rank 0 also writes them as maps/zscore/stats/{mean,std}.nii.gz) and loads
  // the autoencoder's best checkpoint (throws naming it when missing), first adopting its facts
  // into cfg.ae (train/AdoptedFacts.hpp: throws on a command-line value that disagrees); the
  // autoencoder runs on `device`, the rank's. On `clear_stale` (one rank only), removes maps whose
  // stamp differs; the caller then synchronises the ranks.
  BaselineMaps(Config& cfg, bool clear_stale, torch::Device device);
  ~BaselineMaps();

  // Where the autoencoder's settings came from, for the log (empty without the `ae` source).
  const std::vector<std::string>& settings_log() const;
  bool any() const;
  // True when every built-in map of subject `id` is in place.
  bool has(const std::string& id) const;
  // Computes and writes the missing built-in maps of `s` (atomically); throws when the
  // autoencoder was trained on slices of another size.
  void write(const SubjectSlices& s) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace p2l
