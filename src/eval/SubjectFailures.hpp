#pragma once
// The subjects p2l-evaluate could not map (a heatmap or baseline map that failed), on every
// rank, brought to rank 0 as one summary grouped by reason (io/ReasonSummary.hpp), so a cohort
// with many missing inputs prints a few lines instead of one per subject.
#include <string>
#include <vector>

namespace p2l {

class World;

class SubjectFailures {
 public:
  void add(const std::string& split, const std::string& id, const std::string& message);
  int count() const { return int(records_.size()); }
  // Collective over `world`: on rank 0, the summary of every rank's failures headed by `tool`
  // ("" when no rank has any); on the other ranks, "".
  std::string gather_summary(World& world, const std::string& tool) const;

 private:
  std::vector<std::vector<std::string>> records_;  // split, id, message
};

}  // namespace p2l
