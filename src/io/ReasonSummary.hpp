#pragma once
// Terminal summaries of many per-subject problems (failed subjects, skipped rows): one entry per
// distinct reason with its count and the first few examples, so thousands of missing files read
// as a few lines. The full lists stay where they are recorded (the store manifest, the logs).
#include <string>
#include <vector>

namespace p2l {

struct ReasonedItem {
  std::string example;  // what the summary shows for the item: a path, or split/id
  std::string message;  // the reason; a leading "<path>: " is not part of it
};

// The path `message` starts with ("<path>: <reason>", as the helpers put the offending file
// first), or "" when it starts with no path.
std::string leading_path(const std::string& message);

// The grouping key of `message`: without a leading "<path>: " (the helpers put the offending
// file first) and with any other absolute path replaced by "<path>", so "<a>: file not found"
// and "<b>: file not found" are one reason.
std::string reason_of(const std::string& message);

// "<headline>, by reason:" then per reason, most frequent first (ties: first seen first),
// "  <count> x <reason>" and up to `examples` example lines, then "... and N more". The reason is
// shown as the items give it when they all give the same, else as reason_of has it. Empty when
// there are no items.
std::string summarize_reasons(const std::string& headline, const std::vector<ReasonedItem>& items,
                              size_t examples = 3);

}  // namespace p2l
