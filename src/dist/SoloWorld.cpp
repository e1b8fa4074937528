#include "dist/SoloWorld.hpp"

#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace p2l {
namespace {

void only_root(int root) {
  if (root != 0)
    throw std::invalid_argument("broadcast from rank " + std::to_string(root) + " in a world of one process");
}

}  // namespace

void SoloWorld::broadcast(std::string&, int root) { only_root(root); }
void SoloWorld::broadcast(std::vector<int>&, int root) { only_root(root); }
void SoloWorld::broadcast(std::vector<long>&, int root) { only_root(root); }

void SoloWorld::post_count(long count, bool final) { posted_.push_back({0, count, final}); }

std::optional<PostedCount> SoloWorld::take_count(bool wait) {
  if (posted_.empty()) {
    if (wait) throw std::logic_error("take_count: waiting for a count that no rank can send (a world of one process)");
    return std::nullopt;
  }
  PostedCount c = posted_.front();
  posted_.pop_front();
  return c;
}

void SoloWorld::abort(const std::string& tool, const std::string& message) {
  std::cerr << fatal_line(tool, 0, 1, message) << std::flush;
  std::exit(2);
}

}  // namespace p2l
