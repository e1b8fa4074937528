#include "sweep/SpecFile.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <stdexcept>

#include "config/Schema.hpp"
#include "io/AtomicFile.hpp"

namespace p2l {

YAML::Node read_spec_file(const std::string& path, const std::string& what) {
  const std::string text = read_file(path, what);
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ": invalid YAML: " + e.what());
  }
}

void check_known_keys(const YAML::Node& map, const std::string& origin, const std::vector<std::string>& known) {
  if (!map.IsMap()) throw std::runtime_error(origin + ": must be a mapping");
  for (const auto& kv : map) {
    const std::string k = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string best;
    size_t d = std::string::npos;
    for (const auto& c : known)
      if (edit_distance(k, c) < d) d = edit_distance(k, c), best = c;
    throw std::runtime_error(origin + ": unknown key '" + k + "' (did you mean '" + best + "'?)");
  }
}

}  // namespace p2l
