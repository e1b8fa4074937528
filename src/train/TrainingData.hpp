#pragma once
// The subjects a training run uses, and the checks that must pass before training starts.
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "store/SubjectSlices.hpp"

namespace p2l {

struct TrainingData {
  std::vector<SubjectSlices> train;  // the whole training split, resident on every rank
  std::vector<SubjectSlices> val;
};

// `split` for cross-validation fold `fold`: a name ending in "fold0" gets the fold's number
// (IXI_train_fold0 -> IXI_train_fold3); other names are used as they are.
std::string fold_split(const std::string& split, int fold);

// Reads data.train_split and data.val_split (for train.fold) from the store at data.store_dir.
TrainingData load_training_data(const Config& cfg);

// Throws std::runtime_error naming the split (or key) when a split is empty, a subject is
// malformed, slice sizes differ between subjects, or the patch does not fit the slice.
void check_training_data(const TrainingData& data, const Config& cfg);

}  // namespace p2l
