#pragma once
// Records of text that ranks send to rank 0 (World::gather_text, dist/World.hpp): how the jobs
// that deal a store's subjects over ranks (p2l-preprocess, p2l-evaluate) bring per-subject
// outcomes together for one summary.
#include <string>
#include <vector>

namespace p2l {

// `fields` joined into one record (fields split by 0x1f, the record ended by 0x1e), so records
// of many ranks concatenate into one text; split_records gives them back.
std::string join_record(const std::vector<std::string>& fields);
std::vector<std::vector<std::string>> split_records(const std::string& text);

}  // namespace p2l
