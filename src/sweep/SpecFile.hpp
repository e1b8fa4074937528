#pragma once
// Reading the small YAML files of the sweep layer (sweep specs, cluster profiles): the file
// parsed with its path in every error, and closed key sets with "did you mean" suggestions,
// as the config schema gives for config keys.
#include <string>
#include <vector>

namespace YAML { class Node; }

namespace p2l {

// Throws naming the file when it cannot be read or is not valid YAML.
YAML::Node read_spec_file(const std::string& path, const std::string& what);
// Throws "<origin>: unknown key 'k' (did you mean 'c'?)" for a key outside `known`, or when
// `map` is not a mapping.
void check_known_keys(const YAML::Node& map, const std::string& origin, const std::vector<std::string>& known);

}  // namespace p2l
