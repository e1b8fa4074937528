#include "eval/BaselineMaps.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "baseline/AutoencoderTrainer.hpp"
#include "baseline/SliceAutoencoder.hpp"
#include "baseline/VoxelStatistics.hpp"
#include "config/Config.hpp"
#include "config/RunLayout.hpp"
#include "eval/InputGridOutputs.hpp"
#include "scoring/MedianFilter.hpp"
#include "scoring/MethodGrid.hpp"
#include "io/AtomicFile.hpp"
#include "io/Nifti.hpp"
#include "store/Checksum.hpp"
#include "store/StoreReader.hpp"
#include "train/AdoptedFacts.hpp"
#include "train/Checkpoint.hpp"
#include "train/TrainingData.hpp"

namespace p2l {
namespace {

// The map of one subject: median filter over the brain, then 0 outside it.
FloatVolume finish(const std::vector<float>& zhw, const SubjectSlices& s, int median_size) {
  const LabelVolume mask = slices_to_volume(s.mask, s.geom);
  FloatVolume v = median_filter(slices_to_volume(zhw, s.geom), median_size, &mask);
  apply_mask(v, mask);
  return v;
}

}  // namespace

std::map<std::string, std::string> map_source_dirs(const Config& cfg) {
  std::map<std::string, std::string> external;
  for (const auto& e : cfg.eval.external_maps) {
    const size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == e.size())
      throw std::runtime_error("eval.external_maps: '" + e + "': expected name=DIR");
    const std::string name = e.substr(0, eq);
    if (built_in_source(name) || is_scale_source(name) || name.find('*') != std::string::npos)
      throw std::runtime_error("eval.external_maps: '" + name + "' is a reserved or invalid source name");
    external[name] = e.substr(eq + 1);
  }
  std::vector<std::pair<std::string, std::string>> used;  // (name, key)
  for (const auto& s : cfg.eval.sources) used.push_back({s, "eval.sources"});
  for (const auto& p : cfg.eval.fusion_pairs) {
    const auto [a, b] = parse_fusion_pair(p, "eval.fusion_pairs");
    used.push_back({a, "eval.fusion_pairs"}), used.push_back({b, "eval.fusion_pairs"});
  }
  std::map<std::string, std::string> dirs;
  for (const auto& [name, key] : used) {
    const std::optional<BuiltInSource> built_in = built_in_source(name);
    if (built_in == BuiltInSource::kPatch2Loc) continue;
    if (built_in || is_scale_source(name)) dirs[name] = RunLayout(cfg).map_dir(name);
    else if (external.count(name)) dirs[name] = external.at(name);
    else
      throw std::runtime_error(key + ": unknown map source '" + name +
                               "' (patch2loc, zscore, ae, a multi-scale source of eval.scales, or a name given in eval.external_maps)");
  }
  return dirs;
}

struct BaselineMaps::Impl {
  std::map<BuiltInSource, std::string> dirs;  // built-in baselines used -> folder
  std::map<BuiltInSource, std::string> stamps;
  VoxelStatistics stats;
  double eps = 0;
  int zscore_median = 1, ae_median = 1;
  torch::Device device{torch::kCPU};
  SliceAutoencoder ae{nullptr};
  TrainedSlices ae_slices;  // what the autoencoder was trained on (0 x 0: unknown)
  std::vector<std::string> settings_log;

  std::string path(BuiltInSource source, const std::string& id) const { return dirs.at(source) + "/" + id + ".nii.gz"; }
};

BaselineMaps::BaselineMaps(Config& cfg, bool clear_stale, torch::Device device) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  for (const auto& [name, dir] : map_source_dirs(cfg))
    if (const std::optional<BuiltInSource> built_in = built_in_source(name)) m.dirs[*built_in] = dir;
  m.eps = cfg.zscore.eps, m.zscore_median = cfg.zscore.median_size, m.ae_median = cfg.ae.median_size;
  if (m.dirs.count(BuiltInSource::kZScore)) {
    StoreReader store(cfg.data.store_dir);
    const std::string split = fold_split(cfg.data.train_split, cfg.train.fold);
    const std::vector<std::string> ids = store.subjects(split);
    if (ids.empty()) throw std::runtime_error("z-score: training split '" + split + "' has no subjects");
    VoxelStatisticsAccumulator acc;  // one training volume in memory at a time
    Geometry g;
    for (const auto& id : ids) {
      const SubjectSlices s = store.load(split, id);
      if (&id == &ids.front()) g = s.geom;  // the statistics' grid, for their NIfTI files
      acc.add(s);
    }
    m.stats = acc.result();
    uint64_t h = fnv1a64(m.stats.mean.data(), m.stats.mean.size() * sizeof(float));
    h = fnv1a64(m.stats.std.data(), m.stats.std.size() * sizeof(float), h);
    std::ostringstream os;
    os << "zscore maps on the input grid, split=" << split << " statistics_fnv1a=" << hex64(h) << " eps=" << m.eps
       << " median_size=" << m.zscore_median << "\n";
    m.stamps[BuiltInSource::kZScore] = os.str();
    if (clear_stale) {
      write_nifti(m.dirs[BuiltInSource::kZScore] + "/stats/mean.nii.gz", slices_to_volume(m.stats.mean, g));
      write_nifti(m.dirs[BuiltInSource::kZScore] + "/stats/std.nii.gz", slices_to_volume(m.stats.std, g));
    }
  }
  if (m.dirs.count(BuiltInSource::kAutoencoder)) {
    const std::string ckpt = autoencoder_checkpoint(cfg);
    if (!std::filesystem::exists(ckpt))
      throw std::runtime_error(ckpt + ": autoencoder checkpoint not found (map source 'ae': run p2l-train-ae first)");
    AdoptedFacts facts = adopt_autoencoder_facts(cfg, load_model_facts(ckpt), ckpt);
    m.ae_slices = facts.slices;
    m.settings_log = std::move(facts.log);
    m.device = device;
    m.ae = SliceAutoencoder(cfg.ae);
    load_model_weights(ckpt, *m.ae);
    m.ae->to(m.device);
    m.stamps[BuiltInSource::kAutoencoder] = "ae maps on the input grid, checkpoint_fnv1a=" + file_checksum(ckpt) + " median_size=" + std::to_string(m.ae_median) + "\n";
  }
  if (!clear_stale) return;
  for (const auto& [source, dir] : m.dirs) {
    const std::string stamp_path = dir + "/.stamp";
    if (read_file_if_present(stamp_path).value_or("") == m.stamps[source]) continue;
    if (std::filesystem::exists(dir))
      for (const auto& f : std::filesystem::directory_iterator(dir))
        if (f.is_regular_file() && f.path().string().size() > 7 &&
            f.path().string().compare(f.path().string().size() - 7, 7, ".nii.gz") == 0)
          std::filesystem::remove(f.path());
    write_file_atomic(stamp_path, m.stamps[source]);
  }
}

BaselineMaps::~BaselineMaps() = default;

const std::vector<std::string>& BaselineMaps::settings_log() const { return impl_->settings_log; }

bool BaselineMaps::any() const { return !impl_->dirs.empty(); }

bool BaselineMaps::has(const std::string& id) const {
  for (const auto& [source, dir] : impl_->dirs)
    if (!std::filesystem::exists(impl_->path(source, id))) return false;
  return true;
}

void BaselineMaps::write(const SubjectSlices& s) const {
  const Impl& m = *impl_;
  for (const auto& [source, dir] : m.dirs) {
    const std::string path = m.path(source, s.id);
    if (std::filesystem::exists(path)) continue;
    // On the input scan's grid, like the heatmaps; scoring reads them back onto the
    // preprocessed grid (read_source_map).
    if (source == BuiltInSource::kZScore) {
      write_nifti(path, on_input_grid(finish(zscore_map(s, m.stats, m.eps), s, m.zscore_median), s.source_geom));
    } else {
      check_trained_slices(m.ae_slices, s.height, s.width, "autoencoder");
      SliceAutoencoder net = m.ae;
      write_nifti(path, on_input_grid(finish(residual_map(net, s, m.device), s, m.ae_median), s.source_geom));
    }
  }
}

}  // namespace p2l
