#include "preprocess/SplitCarryOver.hpp"

#include <algorithm>

namespace p2l {

CarryOver carry_over_splits(const Manifest& previous, Manifest& next, bool drop) {
  CarryOver out;
  for (const auto& split : previous.split_order) {
    if (std::find(next.split_order.begin(), next.split_order.end(), split) != next.split_order.end()) continue;
    if (drop) {
      out.dropped.push_back(split + ": preprocess.drop_other_splits is set");
      continue;
    }
    if (previous.config_hash != next.config_hash) {
      out.dropped.push_back(split + ": preprocessed with other settings (config hash " + previous.config_hash +
                            ", this run " + next.config_hash + "); preprocess it again to keep it");
      continue;
    }
    next.split_order.push_back(split);
    const auto subjects = previous.splits.find(split);
    next.splits[split] = subjects == previous.splits.end() ? std::vector<ManifestSubject>{} : subjects->second;
    for (auto& s : next.splits[split]) s.reused = true;
    for (const auto& f : previous.failures)
      if (f.split == split) next.failures.push_back(f);
    for (const auto& k : previous.skipped)
      if (k.split == split) next.skipped.push_back(k);
    out.kept.push_back(split);
  }
  // Every shard's count of the subjects this manifest stores in it, carried-over ones included.
  std::vector<ManifestShard> shards;
  for (const auto& split : next.split_order)
    for (const auto& s : next.splits[split]) {
      auto it = std::find_if(shards.begin(), shards.end(), [&](const ManifestShard& m) { return m.file == s.shard; });
      if (it == shards.end()) shards.push_back({s.shard, 1});
      else ++it->subjects;
    }
  std::sort(shards.begin(), shards.end(), [](const ManifestShard& a, const ManifestShard& b) { return a.file < b.file; });
  next.shards = shards;
  return out;
}

}  // namespace p2l
