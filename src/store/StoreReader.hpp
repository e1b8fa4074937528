#pragma once
// Reads a preprocessed store (manifest + HDF5 shards, see docs/STORE.md). Training keeps a
// whole split resident; evaluation iterates volumes in test order; ranks take partitions.
#include <memory>
#include <string>
#include <vector>

#include "store/SubjectSlices.hpp"

namespace p2l {

class StoreReader {
 public:
  // Opens `store_dir`/manifest.json; throws naming the path when it is missing or invalid.
  explicit StoreReader(const std::string& store_dir);
  ~StoreReader();
  StoreReader(StoreReader&&) noexcept;

  const std::string& dir() const;
  std::vector<std::string> splits() const;
  // Subject ids of a split in its CSV order (the test order); throws for an unknown split.
  std::vector<std::string> subjects(const std::string& split) const;
  // The split CSV's img_name of a subject (the id is derived from it; io/SubjectId.hpp).
  const std::string& img_name(const std::string& split, const std::string& id) const;
  SubjectSlices load(const std::string& split, const std::string& id) const;
  std::vector<SubjectSlices> load_split(const std::string& split) const;
  // Subjects i with i % world == rank, in order: the partition of one rank.
  std::vector<SubjectSlices> load_partition(const std::string& split, int rank, int world) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace p2l
