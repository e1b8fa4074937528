#include "dist/World.hpp"

namespace p2l {

std::string fatal_line(const std::string& tool, int rank, int size, const std::string& message) {
  return tool + " rank " + std::to_string(rank) + "/" + std::to_string(size) + ": fatal: " + message +
         " (aborting all ranks)\n";
}

}  // namespace p2l
