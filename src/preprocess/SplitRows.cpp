#include "preprocess/SplitRows.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>

#include "preprocess/KeepList.hpp"
#include "preprocess/SubjectPipeline.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

std::string healthy_reference(const Config& cfg) {
  return cfg.eval.healthy_reference_split.empty() ? cfg.data.val_split : cfg.eval.healthy_reference_split;
}

// The diseased set whose validation split `split` is, or "".
std::string set_validated_by(const Config& cfg, const std::string& split) {
  for (const auto& set : cfg.data.test_sets)
    if (split == set + "_val") return set;
  return "";
}

// Why a missing split CSV stops the run, for the splits whose absence needs explaining.
std::string needed_for(const Config& cfg, const std::string& split) {
  std::string why;
  if (split == cfg.data.val_split)
    why = "data.val_split names the healthy validation split: training's validation loss needs it";
  if (split == healthy_reference(cfg))
    why += std::string(why.empty() ? "" : "; ") +
           "it is the healthy reference split (eval.healthy_reference_split, empty: data.val_split) "
           "that the healthy-quantile and FPR thresholds and the fusion statistics are fitted on";
  return why;
}

}  // namespace

SplitRows read_split_rows(const Config& cfg, const std::vector<std::string>& splits) {
  const std::vector<std::string> healthy = {cfg.data.train_split, cfg.data.val_split, cfg.data.healthy_test_split,
                                            healthy_reference(cfg)};
  const std::optional<KeepList> keep = KeepList::for_run(cfg.data);
  SplitRows out;
  for (const auto& name : splits) {
    const std::string csv = (fs::path(cfg.data.data_dir) / "splits" / (name + ".csv")).string();
    if (!fs::exists(csv)) {
      const std::string set = set_validated_by(cfg, name);
      const std::string why = needed_for(cfg, name);
      if (!set.empty() && why.empty()) {
        out.warnings.push_back(csv + ": not found: '" + set + "' has no diseased validation split, so the " +
                               "validation_dice threshold is not computed for it (the other rules are)");
        continue;
      }
      if (!why.empty()) throw std::runtime_error(csv + ": split CSV not found; " + why);
    }
    const int index = int(out.splits.size());
    out.splits.push_back(name);
    const bool filtered = keep && std::count(healthy.begin(), healthy.end(), name) > 0;
    std::set<std::string> seen;
    for (auto& rec : read_split(cfg.data.data_dir, name)) {
      if (filtered && !keep->keeps(rec.id)) {
        out.skipped.push_back({name, rec.id, rec.img_name, "not in the keep list " + keep->path()});
        continue;
      }
      if (!seen.insert(rec.id).second) {
        out.skipped.push_back({name, rec.id, rec.img_name, "repeats the subject id of an earlier row of the split"});
        continue;
      }
      std::string image = modality_image_path(rec.image, cfg.data.modality);
      out.rows.push_back({index, std::move(rec), std::move(image)});
    }
  }
  return out;
}

}  // namespace p2l
