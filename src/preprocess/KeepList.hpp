#pragma once
// data.keep_list: the subjects of the healthy splits a run keeps. The published T2 runs keep
// only the IXI subjects listed in splits/avail_t2.csv (not every IXI subject has a T2 scan);
// without the list, each of them would be a failed subject. Entries and split rows are matched
// by clean subject id (io/SubjectId.hpp), so "IXI002-Guys-0828_t2.nii.gz" in the list keeps the
// row whose img_name is "IXI002-Guys-0828_t1.nii.gz", as the reference code's t2 -> t1 swap does.
#include <optional>
#include <set>
#include <string>

#include "config/DataConfig.hpp"

namespace p2l {

class KeepList {
 public:
  // Reads a keep-list CSV: a header row, the subjects in the column named "0" (as pandas wrote
  // avail_t2.csv) or "img_name". Throws naming the file and the reason.
  static KeepList read(const std::string& csv_path);
  // The list data.keep_list selects for this run, or none when every row is kept: "none";
  // "auto" without a T2 run or without DATA_DIR/splits/avail_t2.csv. Any other value is a file
  // (relative to DATA_DIR, or absolute) that must exist.
  static std::optional<KeepList> for_run(const DataConfig& data);

  const std::string& path() const { return path_; }
  bool keeps(const std::string& subject_id) const { return ids_.count(subject_id) > 0; }
  size_t size() const { return ids_.size(); }

 private:
  std::string path_;
  std::set<std::string> ids_;
};

}  // namespace p2l
