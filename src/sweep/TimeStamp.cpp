#include "sweep/TimeStamp.hpp"

#include <ctime>

namespace p2l {

std::string time_text(const char* format, bool utc) {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::tm parts{};
  if (utc) gmtime_r(&t, &parts);
  else localtime_r(&t, &parts);
  return std::strftime(buf, sizeof buf, format, &parts) ? buf : "";
}

}  // namespace p2l
