#pragma once
#include <string>
#include <vector>

#include "config/NamedEnum.hpp"

namespace p2l {
class Schema;

// The MR contrast a run trains and tests on; its id is also the folder and file-name token
// of that contrast's images (preprocess/SubjectPipeline.hpp).
enum class Modality { kT1, kT2 };
inline const NamedEnum<Modality>& modalities() {
  static const NamedEnum<Modality> e{{Modality::kT1, "t1"}, {Modality::kT2, "t2"}};
  return e;
}

// Where the cohort lives (SPEC section 2) and which splits a run uses.
struct DataConfig {
  std::string data_dir = "runs/default/cohort";
  Modality modality = Modality::kT2;
  std::string train_split = "IXI_train_fold0";
  std::string val_split = "IXI_val_fold0";
  std::string healthy_test_split = "IXI_test";
  std::vector<std::string> test_sets = {"tumor", "ms", "stroke", "wmh", "heterotopia"};
  std::string store_dir = "runs/default/store";
  // Healthy-split rows kept (SPEC section 2: T2 training uses only subjects that also have T1):
  // "auto" is splits/avail_t2.csv for a T2 run when that file exists, "none" keeps every row.
  std::string keep_list = "auto";
};

void bind(Schema& s, DataConfig& c);

}  // namespace p2l
