#include "store/Manifest.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "io/AtomicFile.hpp"

namespace p2l {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string number_list(const std::vector<double>& v) {
  std::ostringstream os;
  os.precision(17);
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

template <class T>
T get(const YAML::Node& n, const char* key, const std::string& where) {
  if (!n[key]) throw std::runtime_error(where + ": missing field '" + key + "'");
  try {
    return n[key].as<T>();
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(where + ": bad field '" + key + "': " + e.what());
  }
}

}  // namespace

std::string manifest_path(const std::string& store_dir) { return store_dir + "/manifest.json"; }

std::string to_json(const Manifest& m) {
  std::ostringstream os;
  os << "{\n  \"format\": \"p2l-store\",\n  \"format_version\": " << m.format_version
     << ",\n  \"run\": " << m.run << ",\n  \"world_size\": " << m.world_size
     << ",\n  \"modality\": " << quote(m.modality) << ",\n  \"config_hash\": " << quote(m.config_hash)
     << ",\n  \"landmark_percentiles\": " << number_list(m.landmark_percentiles)
     << ",\n  \"standard_landmarks\": " << number_list(m.standard_landmarks) << ",\n  \"shards\": [";
  for (size_t i = 0; i < m.shards.size(); ++i)
    os << (i ? "," : "") << "\n    {\"file\": " << quote(m.shards[i].file)
       << ", \"subjects\": " << m.shards[i].subjects << "}";
  os << "\n  ],\n  \"split_order\": [";
  for (size_t i = 0; i < m.split_order.size(); ++i) os << (i ? ", " : "") << quote(m.split_order[i]);
  os << "],\n  \"splits\": {";
  bool first_split = true;
  for (const auto& name : m.split_order) {
    auto it = m.splits.find(name);
    os << (first_split ? "" : ",") << "\n    " << quote(name) << ": [";
    first_split = false;
    if (it == m.splits.end()) {
      os << "]";
      continue;
    }
    for (size_t i = 0; i < it->second.size(); ++i) {
      const auto& s = it->second[i];
      os << (i ? "," : "") << "\n      {\"id\": " << quote(s.id) << ", \"img_name\": " << quote(s.img_name)
         << ", \"shard\": " << quote(s.shard)
         << ", \"slices\": " << s.slices << ", \"label\": " << s.label
         << ", \"image_checksum\": " << quote(s.image_checksum)
         << ", \"mask_checksum\": " << quote(s.mask_checksum)
         << ", \"seg_checksum\": " << quote(s.seg_checksum)
         << ", \"reused\": " << (s.reused ? "true" : "false") << "}";
    }
    os << (it->second.empty() ? "]" : "\n    ]");
  }
  os << "\n  },\n  \"failures\": [";
  for (size_t i = 0; i < m.failures.size(); ++i) {
    const auto& f = m.failures[i];
    os << (i ? "," : "") << "\n    {\"split\": " << quote(f.split) << ", \"id\": " << quote(f.id)
       << ", \"path\": " << quote(f.path) << ", \"reason\": " << quote(f.reason) << "}";
  }
  os << "\n  ],\n  \"skipped\": [";
  for (size_t i = 0; i < m.skipped.size(); ++i) {
    const auto& k = m.skipped[i];
    os << (i ? "," : "") << "\n    {\"split\": " << quote(k.split) << ", \"id\": " << quote(k.id)
       << ", \"img_name\": " << quote(k.img_name) << ", \"reason\": " << quote(k.reason) << "}";
  }
  os << "\n  ]\n}\n";
  return os.str();
}

void write_manifest(const std::string& store_dir, const Manifest& m) {
  write_file_atomic(manifest_path(store_dir), to_json(m));
}

Manifest read_manifest(const std::string& store_dir) {
  const std::string path = manifest_path(store_dir);
  const std::string text = read_file(path, "store manifest (no store here?)");
  YAML::Node root;
  try {  // JSON is read through yaml-cpp (JSON is YAML's flow style).
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ": malformed manifest: " + e.what());
  }
  if (!root.IsMap() || get<std::string>(root, "format", path) != "p2l-store")
    throw std::runtime_error(path + ": not a p2l-store manifest");
  Manifest m;
  m.format_version = get<int>(root, "format_version", path);
  if (m.format_version != 1)
    throw std::runtime_error(path + ": unsupported format_version " + std::to_string(m.format_version));
  m.run = get<int>(root, "run", path);
  m.world_size = get<int>(root, "world_size", path);
  m.modality = get<std::string>(root, "modality", path);
  m.config_hash = get<std::string>(root, "config_hash", path);
  m.landmark_percentiles = get<std::vector<double>>(root, "landmark_percentiles", path);
  m.standard_landmarks = get<std::vector<double>>(root, "standard_landmarks", path);
  for (const auto& s : root["shards"])
    m.shards.push_back({get<std::string>(s, "file", path), get<int>(s, "subjects", path)});
  m.split_order = get<std::vector<std::string>>(root, "split_order", path);
  for (const auto& name : m.split_order) {
    auto list = root["splits"][name];
    if (!list) throw std::runtime_error(path + ": split '" + name + "' listed but absent");
    auto& out = m.splits[name];
    for (const auto& s : list) {
      ManifestSubject e;
      e.id = get<std::string>(s, "id", path);
      // A subject listed without img_name has its img_name as its id.
      e.img_name = s["img_name"] ? get<std::string>(s, "img_name", path) : e.id;
      e.shard = get<std::string>(s, "shard", path);
      e.slices = get<int>(s, "slices", path);
      e.label = get<int>(s, "label", path);
      e.image_checksum = get<std::string>(s, "image_checksum", path);
      e.mask_checksum = get<std::string>(s, "mask_checksum", path);
      e.seg_checksum = get<std::string>(s, "seg_checksum", path);
      e.reused = get<bool>(s, "reused", path);
      out.push_back(e);
    }
  }
  for (const auto& f : root["failures"])
    m.failures.push_back({get<std::string>(f, "split", path), get<std::string>(f, "id", path),
                          get<std::string>(f, "path", path), get<std::string>(f, "reason", path)});
  for (const auto& k : root["skipped"])  // absent in stores from before keep lists
    m.skipped.push_back({get<std::string>(k, "split", path), get<std::string>(k, "id", path),
                         get<std::string>(k, "img_name", path), get<std::string>(k, "reason", path)});
  return m;
}

}  // namespace p2l
