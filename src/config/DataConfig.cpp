#include "config/DataConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, DataConfig& c) {
  s.add("data.data_dir", &c.data_dir, "DATA_DIR holding Train/, Test/ and splits/ (SPEC section 2)");
  s.add("data.modality", &c.modality, "MR contrast used for training and testing", modalities());
  s.add("data.train_split", &c.train_split, "split CSV name (without .csv) of the healthy training volumes");
  s.add("data.val_split", &c.val_split, "split CSV name of the healthy validation volumes");
  s.add("data.healthy_test_split", &c.healthy_test_split, "split CSV name of the healthy held-out test volumes");
  s.add("data.test_sets", &c.test_sets, "diseased sets; each has a <Set>_test split CSV and optionally <Set>_val (without it, validation_dice is not computed for the set)");
  s.add("data.store_dir", &c.store_dir, "directory of the preprocessed HDF5 store");
  s.add("data.keep_list", &c.keep_list,
        "CSV of the healthy subjects to keep (column '0' or img_name; path relative to DATA_DIR or absolute): rows of the train, val, healthy test and healthy reference splits whose subject is not listed are skipped; auto: splits/avail_t2.csv when data.modality is t2 and it exists, else none; none: keep every row");
}

}  // namespace p2l
