#pragma once
// Reading the small YAML files of the sweep layer (sweep specs, cluster profiles): the file
// parsed with its path in every error. Their closed key sets are checked with
// check_known_keys (config/KnownKeys.hpp: "did you mean" suggestions, as for config keys).
#include <string>
#include <vector>

#include "config/KnownKeys.hpp"

namespace YAML { class Node; }

namespace p2l {

// Throws naming the file when it cannot be read or is not valid YAML.
YAML::Node read_spec_file(const std::string& path, const std::string& what);

}  // namespace p2l
