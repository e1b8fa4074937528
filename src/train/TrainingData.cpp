#include "train/TrainingData.hpp"

#include <stdexcept>

#include "dist/Communicator.hpp"
#include "model/PatchExtractor.hpp"
#include "store/StoreReader.hpp"

namespace p2l {

std::string fold_split(const std::string& split, int fold) {
  const std::string tail = "fold0";
  if (fold == 0 || split.size() < tail.size() ||
      split.compare(split.size() - tail.size(), tail.size(), tail) != 0)
    return split;
  return split.substr(0, split.size() - 1) + std::to_string(fold);
}

TrainingData load_training_data(const Config& cfg) {
  StoreReader store(cfg.data.store_dir);
  TrainingData d;
  d.train = store.load_split(fold_split(cfg.data.train_split, cfg.train.fold));
  d.val = store.load_split(fold_split(cfg.data.val_split, cfg.train.fold));
  for (auto* split : {&d.train, &d.val})
    if (split->empty())
      throw std::runtime_error(cfg.data.store_dir + ": split '" +
                               fold_split(split == &d.train ? cfg.data.train_split : cfg.data.val_split,
                                          cfg.train.fold) +
                               "' has no subjects");
  return d;
}

TrainingData load_training_data(const Config& cfg, Communicator& comm, std::string& warning) {
  if (!cfg.train.shared_slices || comm.who().local_size <= 1) return load_training_data(cfg);
  StoreReader store(cfg.data.store_dir);
  TrainingData d;
  const std::string val = fold_split(cfg.data.val_split, cfg.train.fold);
  d.val = store.load_split(val);
  if (d.val.empty()) throw std::runtime_error(cfg.data.store_dir + ": split '" + val + "' has no subjects");
  d.train_packed = node_shared_slices(comm, store, fold_split(cfg.data.train_split, cfg.train.fold),
                                      cfg.train.shared_slices_dir, warning);
  return d;
}

std::string node_slices_line(const TrainingData& data, const Communicator& comm) {
  if (!data.train_packed || !data.train_packed->wrote_shared_file) return "";
  const RankInfo& who = comm.who();
  return "rank " + std::to_string(who.rank) + " wrote the training slices of node " + std::to_string(who.node) +
         " of " + std::to_string(who.nodes) + " for its " + std::to_string(who.local_size) +
         " rank(s): " + data.train_packed->shared_file;
}

void check_training_data(const TrainingData& data, const Config& cfg) {
  if (data.train_subjects() == 0)
    throw std::runtime_error("data.train_split: '" + cfg.data.train_split + "' has no subjects");
  if (data.val.empty())
    throw std::runtime_error("data.val_split: '" + cfg.data.val_split + "' has no subjects");
  // The slice size every subject must have: the first training subject's (a packed split was
  // checked when it was packed).
  const int64_t height = data.train_packed ? data.train_packed->height : data.train.front().height;
  const int64_t width = data.train_packed ? data.train_packed->width : data.train.front().width;
  const std::string ref = data.train_packed ? "the training split" : "subject '" + data.train.front().id + "'";
  for (const auto* split : {&data.train, &data.val}) {
    for (const auto& s : *split) {
      const std::string who = "subject '" + s.id + "' of split '" + s.split + "'";
      size_t n = size_t(s.depth) * s.height * s.width;
      if (n == 0 || s.image.size() != n || s.mask.size() != n)
        throw std::runtime_error(who + ": slices and mask do not match its " +
                                 std::to_string(s.depth) + " x " + std::to_string(s.height) +
                                 " x " + std::to_string(s.width) + " size");
      if (s.height != height || s.width != width)
        throw std::runtime_error(who + ": slices are " + std::to_string(s.height) + " x " +
                                 std::to_string(s.width) + " but " + ref + " has " + std::to_string(height) + " x " +
                                 std::to_string(width) + " (mismatched store)");
    }
  }
  // The sampler's patch (PatchSampler) must fit the slice; patch_side is at least 1 pixel.
  const int64_t p = patch_side(cfg.train.patch_fraction, std::min(height, width));
  if (p > height || p > width)
    throw std::runtime_error("train.patch_fraction: a " + std::to_string(p) + "-pixel patch does not fit " +
                             std::to_string(height) + " x " + std::to_string(width) + " slices");
}

}  // namespace p2l
