#pragma once
// Text gathered from every MPI rank onto rank 0: how the jobs that deal a store's subjects over
// ranks (p2l-preprocess, p2l-evaluate) bring per-subject outcomes together for one summary.
#include <string>
#include <vector>

namespace p2l {

// Collective over MPI_COMM_WORLD: on rank 0, every rank's `mine` concatenated in rank order;
// on the other ranks, an empty string.
std::string gather_text_at_root(const std::string& mine);

// `fields` joined into one record (fields split by 0x1f, the record ended by 0x1e), so records
// of many ranks concatenate into one text; split_records gives them back.
std::string join_record(const std::vector<std::string>& fields);
std::vector<std::vector<std::string>> split_records(const std::string& text);

}  // namespace p2l
