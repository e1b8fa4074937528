#pragma once
// The subjects a training run uses, and the checks that must pass before training starts.
#include <optional>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "store/SubjectSlices.hpp"
#include "train/PackedSlices.hpp"

namespace p2l {

class Communicator;

struct TrainingData {
  std::vector<SubjectSlices> train;  // the training split, when this rank loaded it itself
  std::vector<SubjectSlices> val;
  // The training split packed once per node (load_training_data with a communicator); `train`
  // is then empty.
  std::optional<PackedSlices> train_packed;
  size_t train_subjects() const { return train_packed ? train_packed->subjects() : train.size(); }
};

// `split` for cross-validation fold `fold`: a name ending in "fold0" gets the fold's number
// (IXI_train_fold0 -> IXI_train_fold3); other names are used as they are.
std::string fold_split(const std::string& split, int fold);

// Reads data.train_split and data.val_split (for train.fold) from the store at data.store_dir.
TrainingData load_training_data(const Config& cfg);
// The same for a job of several ranks (collective over `comm`): with train.shared_slices and
// more than one rank on a node, the training split is held once per node (train_packed);
// `warning` says why when that was not possible.
TrainingData load_training_data(const Config& cfg, Communicator& comm, std::string& warning);

// The node-level line of the rank that wrote its node's training slices ("" on every other
// rank): the node, its ranks and the file.
std::string node_slices_line(const TrainingData& data, const Communicator& comm);

// Throws std::runtime_error naming the split (or key) when a split is empty, a subject is
// malformed, slice sizes differ between subjects, or the patch does not fit the slice.
void check_training_data(const TrainingData& data, const Config& cfg);

}  // namespace p2l
