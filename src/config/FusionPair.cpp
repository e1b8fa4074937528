#include "config/FusionPair.hpp"

#include <stdexcept>

namespace p2l {

std::pair<std::string, std::string> parse_fusion_pair(const std::string& pair, const std::string& what) {
  const size_t star = pair.find('*');
  if (star == std::string::npos || star == 0 || star + 1 == pair.size() || pair.find('*', star + 1) != std::string::npos)
    throw std::runtime_error(what + " '" + pair + "': expected two map sources as a*b (e.g. patch2loc*zscore)");
  return {pair.substr(0, star), pair.substr(star + 1)};
}

}  // namespace p2l
