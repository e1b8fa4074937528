#pragma once
// Split CSVs (SPEC section 2): columns matched by name, extra columns ignored, paths relative
// to DATA_DIR (they start with /Train or /Test) and resolved against it. The published splits
// (docs/PUBLISHED_SPLITS.md) are read as they are.
#include <optional>
#include <string>
#include <vector>

namespace p2l {

struct SubjectRecord {
  std::string id;         // the clean subject id of img_name (io/SubjectId.hpp)
  std::string img_name;   // as the CSV gives it
  std::string image;      // absolute path of the image
  std::string mask;       // absolute path of the brain mask
  std::string seg;        // absolute path of the segmentation, empty when none
  int label = 0;          // 0 healthy, 1 diseased
  std::optional<double> age;
};

// Reads DATA_DIR/splits/<name>.csv; throws naming the file and the reason (missing file,
// missing required column, bad row, a path outside DATA_DIR).
std::vector<SubjectRecord> read_split(const std::string& data_dir, const std::string& name);
std::vector<SubjectRecord> read_split_file(const std::string& data_dir, const std::string& csv_path);

// Writes a split CSV in the published column layout (atomically); img_name is written as given.
void write_split_file(const std::string& data_dir, const std::string& csv_path,
                      const std::vector<SubjectRecord>& rows);

}  // namespace p2l
