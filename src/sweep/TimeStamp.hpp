#pragma once
// The current time as text, for the ledger, the tables and the nightly archives.
#include <string>

namespace p2l {

// strftime(`format`) of now, in local time or UTC.
std::string time_text(const char* format, bool utc = false);

}  // namespace p2l
