#include "io/ReasonSummary.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace p2l {

std::string leading_path(const std::string& message) {
  const auto colon = message.find(": ");
  if (colon == std::string::npos) return "";
  const std::string head = message.substr(0, colon);
  // A path without spaces, not a sentence that holds a '/'.
  return head.find('/') != std::string::npos && head.find(' ') == std::string::npos ? head : "";
}

namespace {

std::string without_leading_path(const std::string& message) {
  const std::string path = leading_path(message);
  return path.empty() ? message : message.substr(path.size() + 2);
}

}  // namespace

std::string reason_of(const std::string& message) {
  const std::string rest = without_leading_path(message);
  std::string out;
  for (size_t i = 0; i < rest.size();) {
    if (rest[i] == '/' && (i == 0 || rest[i - 1] == ' ' || rest[i - 1] == '\'' || rest[i - 1] == '(')) {
      size_t end = i;
      while (end < rest.size() && rest[end] != ' ' && rest[end] != '\'' && rest[end] != ')' &&
             !(rest[end] == ':' && (end + 1 == rest.size() || rest[end + 1] == ' ')))
        ++end;
      out += "<path>";
      i = end;
    } else {
      out += rest[i++];
    }
  }
  return out;
}

std::string summarize_reasons(const std::string& headline, const std::vector<ReasonedItem>& items,
                              size_t examples) {
  if (items.empty()) return "";
  struct Group {
    size_t first = 0;
    std::vector<const ReasonedItem*> items;
  };
  std::map<std::string, Group> groups;
  for (size_t i = 0; i < items.size(); ++i) {
    Group& g = groups[reason_of(items[i].message)];
    if (g.items.empty()) g.first = i;
    g.items.push_back(&items[i]);
  }
  std::vector<std::pair<std::string, const Group*>> order;
  for (const auto& [reason, g] : groups) order.emplace_back(reason, &g);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second->items.size() != b.second->items.size() ? a.second->items.size() > b.second->items.size()
                                                            : a.second->first < b.second->first;
  });
  std::ostringstream os;
  os << headline << ", by reason:\n";
  for (const auto& [reason, g] : order) {
    // Shown as the items say it when they all say the same (a path there is the same for all).
    const std::string first = without_leading_path(g->items.front()->message);
    const bool uniform = std::all_of(g->items.begin(), g->items.end(),
                                     [&](const ReasonedItem* i) { return without_leading_path(i->message) == first; });
    os << "  " << g->items.size() << " x " << (uniform ? first : reason) << "\n";
    const size_t shown = std::min(examples, g->items.size());
    for (size_t i = 0; i < shown; ++i) os << "      " << g->items[i]->example << "\n";
    if (g->items.size() > shown) os << "      ... and " << g->items.size() - shown << " more\n";
  }
  return os.str();
}

}  // namespace p2l
