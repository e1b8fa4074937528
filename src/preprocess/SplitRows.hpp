#pragma once
// The split CSV rows a preprocessing run works on (docs/PUBLISHED_SPLITS.md):
//  - a diseased set's <Set>_val.csv is optional (the published splits ship none; only the
//    validation_dice rule needs it): when it is missing, the split is left out with a warning;
//  - the healthy validation split (data.val_split) and the healthy reference split
//    (eval.healthy_reference_split) are required, with an error that says what needs them;
//  - rows of the healthy splits whose subject data.keep_list leaves out, and rows repeating a
//    subject id already seen in the same split (the published IXI folds list some scans twice),
//    are skipped: counted and recorded, not failed.
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "io/SplitCsv.hpp"
#include "store/Manifest.hpp"

namespace p2l {

struct SplitRow {
  int split = 0;       // index into SplitRows::splits
  SubjectRecord rec;
  std::string image;   // the image of data.modality (modality_image_path)
};

struct SplitRows {
  std::vector<std::string> splits;   // the splits read, in the order asked, missing optional ones left out
  std::vector<SplitRow> rows;        // in split order, then CSV order
  std::vector<ManifestSkip> skipped;
  std::vector<std::string> warnings;
};

// Reads DATA_DIR/splits/<name>.csv for every name in `splits`; throws naming the file and the
// reason for a missing required split or a malformed CSV.
SplitRows read_split_rows(const Config& cfg, const std::vector<std::string>& splits);

}  // namespace p2l
