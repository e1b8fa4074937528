#pragma once
#include <string>
#include <vector>

namespace p2l {
class Schema;

// Where the cohort lives (SPEC section 2) and which splits a run uses.
struct DataConfig {
  std::string data_dir = "runs/default/cohort";
  std::string modality = "t2";
  std::string train_split = "IXI_train_fold0";
  std::string val_split = "IXI_val_fold0";
  std::string healthy_test_split = "IXI_test";
  std::vector<std::string> test_sets = {"tumor", "ms", "stroke", "wmh", "heterotopia"};
  std::string store_dir = "runs/default/store";
};

void bind(Schema& s, DataConfig& c);

}  // namespace p2l
