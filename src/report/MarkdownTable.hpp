#pragma once
// A GitHub-flavoured Markdown table (header, alignment row, body).
#include <string>
#include <vector>

namespace p2l {

struct MarkdownTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
  std::string render() const;                   // '|' in cells is escaped
};

// "0.412 ± 0.101"; "n/a" when undefined (NaN); "(k/n)" appended when only k of n values exist.
std::string mean_pm_std(double mean, double std, size_t defined, size_t total, int digits = 3);

}  // namespace p2l
