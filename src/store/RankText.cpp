#include "store/RankText.hpp"

#include <sstream>

namespace p2l {

std::string join_record(const std::vector<std::string>& fields) {
  std::string s;
  for (size_t i = 0; i < fields.size(); ++i) s += (i ? "\x1f" : "") + fields[i];
  return s + '\x1e';
}

std::vector<std::vector<std::string>> split_records(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::stringstream records(text);
  std::string rec;
  while (std::getline(records, rec, '\x1e')) {
    std::vector<std::string> f;
    std::stringstream fields(rec);
    std::string x;
    while (std::getline(fields, x, '\x1f')) f.push_back(x);
    if (!rec.empty() && rec.back() == '\x1f') f.emplace_back();  // getline drops a last empty field
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace p2l
