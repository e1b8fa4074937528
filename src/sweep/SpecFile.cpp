#include "sweep/SpecFile.hpp"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

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

}  // namespace p2l
