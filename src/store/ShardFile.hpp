#pragma once
// One HDF5 shard of a store (schema in docs/STORE.md): a group /<split>/<id> per subject with
// datasets slices (float32 [Z][H][W]), mask and seg (uint8), chunked one slice per chunk and
// gzip-compressed, plus attributes for the grid, the labels and the provenance.
// HDF5 stays inside ShardFile.cpp.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "store/SubjectSlices.hpp"

namespace p2l {

// Where a stored subject came from and which preprocessing made it.
struct SubjectProvenance {
  std::string image_path, mask_path, seg_path;              // seg_path empty when none
  std::string image_checksum, mask_checksum, seg_checksum;  // hex64 of the file bytes
  std::string config_hash;                                  // hash of the array-relevant config
  // Input index of stored voxel 0 before downsampling; the input grid itself is
  // SubjectSlices::source_geom.
  std::array<long, 3> crop_offset{0, 0, 0};

  // True when `other` was made from the same input bytes with the same config.
  bool same_inputs(const SubjectProvenance& other) const;
};

// Writes a shard under a temporary name; commit() renames it into place. Destroying an
// uncommitted writer removes the temporary file, so a shard is either complete or absent.
class ShardWriter {
 public:
  ShardWriter(const std::string& path, int compression_level);
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // Root attributes (run bookkeeping), written before commit.
  void set_root_attribute(const std::string& name, const std::string& value);
  void write(const SubjectSlices& s, const SubjectProvenance& p);
  void commit();
  const std::string& path() const { return path_; }
  int subjects() const { return count_; }

 private:
  void write_group(const SubjectSlices& s, const SubjectProvenance& p);
  std::string path_, tmp_;
  int level_;
  long long file_ = -1;  // hid_t
  int count_ = 0;
};

// What a shard holds, without the arrays (for resume and manifest checks).
struct ShardEntry {
  std::string split, id;
  int slices = 0;
  SubjectProvenance provenance;
};
std::vector<ShardEntry> list_shard(const std::string& path);

// Reads one subject; throws naming the shard and group when absent or malformed.
SubjectSlices read_shard_subject(const std::string& path, const std::string& split,
                                 const std::string& id);
SubjectProvenance read_shard_provenance(const std::string& path, const std::string& split,
                                        const std::string& id);

// Reads many subjects of one shard with a single open (same order as `keys`: {split, id}).
std::vector<SubjectSlices> read_shard_subjects(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& keys);

}  // namespace p2l
