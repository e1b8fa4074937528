#include "eval/SubjectFailures.hpp"

#include "dist/World.hpp"
#include "io/ReasonSummary.hpp"
#include "store/RankText.hpp"

namespace p2l {

void SubjectFailures::add(const std::string& split, const std::string& id, const std::string& message) {
  records_.push_back({split, id, message});
}

std::string SubjectFailures::gather_summary(World& world, const std::string& tool) const {
  std::string mine;
  for (const auto& r : records_) mine += join_record(r);
  const std::string all = world.gather_text(mine);
  std::vector<ReasonedItem> items;
  for (auto& f : split_records(all)) {
    f.resize(3);
    const std::string path = leading_path(f[2]);
    items.push_back({f[0] + "/" + f[1] + (path.empty() ? "" : ": " + path), f[2]});
  }
  return summarize_reasons(tool + ": " + std::to_string(items.size()) +
                               " subject(s) FAILED and are missing from the results",
                           items);
}

}  // namespace p2l
