#include "scoring/EvalInputs.hpp"

namespace p2l {

SubjectList::SubjectList(std::vector<EvalSubject> held)
    : held_(std::make_shared<const std::vector<EvalSubject>>(std::move(held))) {
  for (const auto& s : *held_) ids_.push_back(s.id);
}

SubjectList::SubjectList(std::vector<std::string> ids, std::function<EvalSubject(const std::string&)> load)
    : ids_(std::move(ids)), load_(std::move(load)) {}

std::shared_ptr<const EvalSubject> SubjectList::get(size_t i) const {
  if (held_) return std::shared_ptr<const EvalSubject>(held_, &(*held_)[i]);
  return std::make_shared<const EvalSubject>(load_(ids_[i]));
}

}  // namespace p2l
