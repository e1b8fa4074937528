#include "config/KnownKeys.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace p2l {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

size_t key_distance(const std::string& key, const std::string& known) {
  size_t d = edit_distance(key, known);
  const auto kd = key.find('.'), dot = known.find('.');
  if (dot != std::string::npos && kd != std::string::npos)
    d = std::min(d, edit_distance(key.substr(kd + 1), known.substr(dot + 1)) + 1);
  return d;
}

std::string closest_key(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  size_t bd = SIZE_MAX;
  for (const auto& k : known) {
    const size_t d = key_distance(key, k);
    if (d < bd) bd = d, best = k;
  }
  return best;
}

void throw_unknown_key(const std::string& origin, const std::string& what, const std::string& key,
                       const std::vector<std::string>& known) {
  throw std::runtime_error(origin + ": unknown " + what + " '" + key + "' (did you mean '" + closest_key(key, known) +
                           "'?)");
}

void check_known_key(const std::string& key, const std::string& origin, const std::vector<std::string>& known,
                     const std::string& what) {
  if (std::find(known.begin(), known.end(), key) == known.end()) throw_unknown_key(origin, what, key, known);
}

void check_known_keys(const YAML::Node& map, const std::string& origin, const std::vector<std::string>& known,
                      const std::string& what) {
  if (!map.IsMap()) throw std::runtime_error(origin + ": must be a mapping");
  for (const auto& kv : map) check_known_key(kv.first.as<std::string>(), origin, known, what);
}

}  // namespace p2l
