#pragma once
// store_dir/manifest.json: the index of a store (schema in docs/STORE.md). Only subjects listed
// here belong to the store; shards may hold stale groups from earlier runs, which are ignored.
#include <map>
#include <string>
#include <vector>

namespace p2l {

struct ManifestSubject {
  std::string id;
  std::string img_name;  // the split CSV's img_name the id was derived from
  std::string shard;  // file name relative to the store directory
  int slices = 0;
  int label = 0;
  std::string image_checksum, mask_checksum, seg_checksum;
  bool reused = false;  // taken over from an earlier run instead of recomputed
};

struct ManifestFailure {
  std::string split, id, path, reason;
};

// A split CSV row the run left out on purpose (data.keep_list, a repeated subject id).
struct ManifestSkip {
  std::string split, id, img_name, reason;
};

struct ManifestShard {
  std::string file;
  int subjects = 0;  // subjects of this manifest stored in the file
};

struct Manifest {
  int format_version = 1;
  int run = 0;          // increases with every run writing into the store
  int world_size = 1;   // ranks of the run that wrote it
  std::string modality;
  std::string config_hash;
  std::vector<double> landmark_percentiles, standard_landmarks;  // empty without standardisation
  std::vector<ManifestShard> shards;
  std::vector<std::string> split_order;                    // splits in processing order
  std::map<std::string, std::vector<ManifestSubject>> splits;  // subjects in CSV order
  std::vector<ManifestFailure> failures;
  std::vector<ManifestSkip> skipped;
};

std::string manifest_path(const std::string& store_dir);
std::string to_json(const Manifest& m);
// Writes store_dir/manifest.json atomically.
void write_manifest(const std::string& store_dir, const Manifest& m);
// Throws naming the manifest path when it is missing or malformed.
Manifest read_manifest(const std::string& store_dir);

}  // namespace p2l
