#pragma once
// Closed key sets with "did you mean" suggestions: the one check behind every YAML file the
// project reads (config sections and keys, sweep specs, cluster profiles, method grids). An
// unknown key is reported with where it was found, the key, and the closest known key.
#include <cstddef>
#include <string>
#include <vector>

namespace YAML { class Node; }

namespace p2l {

// Levenshtein distance (insertions, deletions, substitutions; each costs 1).
size_t edit_distance(const std::string& a, const std::string& b);

// How far `key` is from the known key `known` for suggestions: their edit distance; for two
// dotted keys ("section.name") also the distance of the parts after the first dot plus one, so
// a typo in the name alone or a key put in the wrong section finds its key.
size_t key_distance(const std::string& key, const std::string& known);

// The entry of `known` closest to `key` by key_distance (the first of equally close ones);
// "" when `known` is empty.
std::string closest_key(const std::string& key, const std::vector<std::string>& known);

// Throws std::runtime_error("<origin>: unknown <what> '<key>' (did you mean '<closest>'?)").
[[noreturn]] void throw_unknown_key(const std::string& origin, const std::string& what, const std::string& key,
                                    const std::vector<std::string>& known);

// throw_unknown_key when `key` is not in `known`.
void check_known_key(const std::string& key, const std::string& origin, const std::vector<std::string>& known,
                     const std::string& what = "key");

// check_known_key for every key of `map`, in order; throws "<origin>: must be a mapping" when
// `map` is not a mapping.
void check_known_keys(const YAML::Node& map, const std::string& origin, const std::vector<std::string>& known,
                      const std::string& what = "key");

}  // namespace p2l
