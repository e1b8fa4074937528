#include "config/Config.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "config/KnownKeys.hpp"
#include "io/AtomicFile.hpp"

namespace p2l {

Schema Config::schema() {
  Schema s;
  bind(s, run);
  bind(s, data);
  bind(s, cohort);
  bind(s, preprocess);
  bind(s, model);
  bind(s, train);
  bind(s, eval);
  bind(s, zscore);
  bind(s, ae);
  return s;
}

namespace {

void set_field(const Schema& s, const std::string& key, const YAML::Node& value,
               const std::string& origin) {
  const Schema::Field* f = s.find(key);  // an alias finds its key's field
  if (!f) throw_unknown_key(origin, "config key", key, s.keys());
  try {
    f->set(value);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(origin + ": " + e.what());
  }
}

}  // namespace

void Config::apply_yaml(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(origin + ": invalid YAML: " + e.what());
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw std::runtime_error(origin + ": top level must be a mapping of sections");
  Schema s = schema();
  for (const auto& sec : root) {
    const std::string section = sec.first.as<std::string>();
    if (!s.has_section(section)) throw_unknown_key(origin, "config section", section, s.sections());
    if (sec.second.IsNull()) continue;
    if (!sec.second.IsMap())
      throw std::runtime_error(origin + ": section '" + section + "' must be a mapping");
    for (const auto& kv : sec.second) set_field(s, section + "." + kv.first.as<std::string>(), kv.second, origin);
  }
}

void Config::apply_override(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::runtime_error("override '" + assignment + "' must look like section.key=value");
  std::string key = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  const Schema s = schema();
  const Schema::Field* f = s.find(key);
  if (f && f->type == "string") {  // strings are taken verbatim: paths may hold ':' or '#'
    set_field(s, key, YAML::Node(value), "override '" + assignment + "'");
  } else {
    YAML::Node node;
    try {
      node = YAML::Load(value);
    } catch (const YAML::Exception& e) {
      throw std::runtime_error("override '" + assignment + "': invalid value: " + e.what());
    }
    if (node.IsNull()) node = YAML::Node(std::string());  // "key=" sets an empty string
    set_field(s, key, node, "override '" + assignment + "'");
  }
  overridden.insert(f->key);  // set_field threw unless the key (or its old name) exists
}

std::string Config::to_yaml() {
  Schema s = schema();
  std::ostringstream os;
  os << "# Patch2Loc resolved configuration\n";
  std::string section;
  for (const auto& f : s.fields()) {
    auto dot = f.key.find('.');
    std::string sec = f.key.substr(0, dot);
    if (sec != section) {
      os << sec << ":\n";
      section = sec;
    }
    os << "  " << f.key.substr(dot + 1) << ": " << f.show() << "  # " << f.doc << "\n";
  }
  return os.str();
}

void Config::write(const std::string& path) { write_file_atomic(path, to_yaml()); }

Config parse_command_line(int argc, char** argv, const std::string& tool, const std::string& about) {
  Config cfg;
  std::vector<std::string> overrides;
  std::string config_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << "usage: " << tool << " [--config FILE] [section.key=value ...]\n\n" << about
                << "\n\nConfiguration keys (type, allowed values, default):\n";
      Schema s = cfg.schema();
      for (const auto& f : s.fields())
        std::cout << "  " << f.key << " = " << f.show() << "\n      " << f.doc << " [" << f.range
                  << "]\n";
      std::exit(0);
    } else if (a == "--config") {
      if (i + 1 >= argc) throw std::runtime_error("--config needs a file name");
      config_file = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config_file = a.substr(9);
    } else if (a.find('=') != std::string::npos && a[0] != '-') {
      overrides.push_back(a);
    } else {
      throw std::runtime_error("unexpected argument '" + a + "' (see " + tool + " --help)");
    }
  }
  if (!config_file.empty()) {
    cfg.apply_yaml(read_file(config_file, "config file"), config_file);
  }
  for (const auto& o : overrides) cfg.apply_override(o);
  return cfg;
}

}  // namespace p2l
