#include "config/DataConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, DataConfig& c) {
  s.add("data.data_dir", &c.data_dir, "DATA_DIR holding Train/, Test/ and splits/ (SPEC section 2)");
  s.add("data.modality", &c.modality, "MR contrast used for training and testing", {"t1", "t2"});
  s.add("data.train_split", &c.train_split, "split CSV name (without .csv) of the healthy training volumes");
  s.add("data.val_split", &c.val_split, "split CSV name of the healthy validation volumes");
  s.add("data.healthy_test_split", &c.healthy_test_split, "split CSV name of the healthy held-out test volumes");
  s.add("data.test_sets", &c.test_sets, "diseased sets; each has <Set>_val and <Set>_test split CSVs");
  s.add("data.store_dir", &c.store_dir, "directory of the preprocessed HDF5 store");
}

}  // namespace p2l
