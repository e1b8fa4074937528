#pragma once
// What earlier runs already stored in a store directory: the committed shard files and the
// subjects they hold, so a rerun reuses subjects whose inputs and config are unchanged.
#include <map>
#include <string>
#include <vector>

#include "store/ShardFile.hpp"

namespace p2l {

// Shard file names follow shard-<rank>-of-<world>-run<R>-part<P>.h5.
std::string shard_file_name(int rank, int world, int run, int part);
// The run number in such a name, or -1 when the name is not a shard name.
int shard_run_number(const std::string& file_name);

class ResumeIndex {
 public:
  // Lists every committed shard in `store_dir`. Unreadable shards (truncated, corrupt, or of
  // another format) are skipped and named in warnings().
  explicit ResumeIndex(const std::string& store_dir);

  // The shard (file name) holding split/id made from the same inputs and whose stored arrays
  // read back intact (their checksums), or "" when none; a corrupt copy is skipped with a
  // warning on stderr naming the shard and the subject, so the caller preprocesses it again.
  std::string find(const std::string& split, const std::string& id,
                   const SubjectProvenance& wanted, int* slices) const;
  // One more than the largest run number of the shards present (1 in an empty store).
  int next_run() const { return max_run_ + 1; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Stored {
    std::string file;
    int slices;
    SubjectProvenance provenance;
  };
  std::string dir_;
  std::multimap<std::string, Stored> entries_;  // key split + "/" + id
  std::vector<std::string> warnings_;
  int max_run_ = 0;
};

}  // namespace p2l
