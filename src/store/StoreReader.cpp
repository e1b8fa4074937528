#include "store/StoreReader.hpp"

#include <map>
#include <stdexcept>

#include "store/Manifest.hpp"
#include "store/ShardFile.hpp"

namespace p2l {

struct StoreReader::Impl {
  std::string dir;
  Manifest manifest;

  const std::vector<ManifestSubject>& split(const std::string& name) const {
    auto it = manifest.splits.find(name);
    if (it == manifest.splits.end())
      throw std::runtime_error(manifest_path(dir) + ": no split '" + name + "' in the store");
    return it->second;
  }

  const ManifestSubject& subject(const std::string& split_name, const std::string& id) const {
    for (const auto& s : split(split_name))
      if (s.id == id) return s;
    throw std::runtime_error(manifest_path(dir) + ": no subject '" + id + "' in split '" + split_name + "'");
  }

  // Loads the listed subjects, opening each shard once, and returns them in the given order.
  std::vector<SubjectSlices> load(const std::string& split_name,
                                  const std::vector<const ManifestSubject*>& subjects) const {
    std::map<std::string, std::vector<size_t>> by_shard;
    for (size_t i = 0; i < subjects.size(); ++i) by_shard[subjects[i]->shard].push_back(i);
    std::vector<SubjectSlices> out(subjects.size());
    for (const auto& [shard, idx] : by_shard) {
      std::vector<std::pair<std::string, std::string>> keys;
      for (size_t i : idx) keys.emplace_back(split_name, subjects[i]->id);
      auto loaded = read_shard_subjects(dir + "/" + shard, keys);
      for (size_t k = 0; k < idx.size(); ++k) out[idx[k]] = std::move(loaded[k]);
    }
    return out;
  }
};

StoreReader::StoreReader(const std::string& store_dir) : impl_(std::make_unique<Impl>()) {
  impl_->dir = store_dir;
  impl_->manifest = read_manifest(store_dir);
}

StoreReader::~StoreReader() = default;
StoreReader::StoreReader(StoreReader&&) noexcept = default;

const std::string& StoreReader::dir() const { return impl_->dir; }

std::vector<std::string> StoreReader::splits() const { return impl_->manifest.split_order; }

std::vector<std::string> StoreReader::subjects(const std::string& split) const {
  std::vector<std::string> ids;
  for (const auto& s : impl_->split(split)) ids.push_back(s.id);
  return ids;
}

const std::string& StoreReader::img_name(const std::string& split, const std::string& id) const {
  return impl_->subject(split, id).img_name;
}

SubjectSlices StoreReader::load(const std::string& split, const std::string& id) const {
  return read_shard_subject(impl_->dir + "/" + impl_->subject(split, id).shard, split, id);
}

std::vector<SubjectSlices> StoreReader::load_split(const std::string& split) const {
  return load_partition(split, 0, 1);
}

std::vector<SubjectSlices> StoreReader::load_partition(const std::string& split, int rank,
                                                       int world) const {
  if (world < 1 || rank < 0 || rank >= world)
    throw std::runtime_error("StoreReader::load_partition: bad rank " + std::to_string(rank) +
                             " of " + std::to_string(world));
  const auto& all = impl_->split(split);
  std::vector<const ManifestSubject*> mine;
  for (size_t i = rank; i < all.size(); i += world) mine.push_back(&all[i]);
  return impl_->load(split, mine);
}

}  // namespace p2l
