#include "report/MarkdownTable.hpp"

#include <cmath>
#include <cstdio>

namespace p2l {
namespace {
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}
}  // namespace

std::string MarkdownTable::render() const {
  std::string out = "|";
  for (const auto& h : header) out += " " + cell(h) + " |";
  out += "\n|";
  for (size_t i = 0; i < header.size(); ++i) out += i == 0 ? " --- |" : " ---: |";
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (size_t i = 0; i < header.size(); ++i) out += " " + cell(i < r.size() ? r[i] : "") + " |";
    out += "\n";
  }
  return out;
}

std::string mean_pm_std(double mean, double std, size_t defined, size_t total, int digits) {
  if (defined == 0 || std::isnan(mean)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f ± %.*f", digits, mean, digits, std);
  std::string s = buf;
  if (defined < total) s += " (" + std::to_string(defined) + "/" + std::to_string(total) + ")";
  return s;
}

}  // namespace p2l
