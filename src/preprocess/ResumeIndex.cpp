#include "preprocess/ResumeIndex.hpp"

#include <iostream>

#include <algorithm>
#include <filesystem>
#include <regex>

namespace p2l {

std::string shard_file_name(int rank, int world, int run, int part) {
  return "shard-" + std::to_string(rank) + "-of-" + std::to_string(world) + "-run" +
         std::to_string(run) + "-part" + std::to_string(part) + ".h5";
}

int shard_run_number(const std::string& name) {
  static const std::regex re(R"(shard-\d+-of-\d+-run(\d+)-part\d+\.h5)");
  std::smatch m;
  if (!std::regex_match(name, m, re)) return -1;
  return std::stoi(m[1].str());
}

ResumeIndex::ResumeIndex(const std::string& store_dir) : dir_(store_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(store_dir)) return;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(store_dir)) {
    std::string name = e.path().filename().string();
    int run = shard_run_number(name);
    if (run < 0) continue;
    max_run_ = std::max(max_run_, run);
    files.push_back(name);
  }
  std::sort(files.begin(), files.end());  // the same order, and warnings, on every rank
  for (const auto& name : files) {
    try {
      for (auto& s : list_shard(store_dir + "/" + name))
        entries_.emplace(s.split + "/" + s.id, Stored{name, s.slices, std::move(s.provenance)});
    } catch (const std::exception& ex) {
      warnings_.push_back(std::string("ignoring unreadable shard: ") + ex.what());
    }
  }
}

std::string ResumeIndex::find(const std::string& split, const std::string& id,
                              const SubjectProvenance& wanted, int* slices) const {
  auto [lo, hi] = entries_.equal_range(split + "/" + id);
  for (auto it = lo; it != hi; ++it)
    if (it->second.provenance.same_inputs(wanted)) {
      try {
        read_shard_subject(dir_ + "/" + it->second.file, split, id);
      } catch (const std::exception& e) {
        std::cerr << "p2l-preprocess: warning: not reusing " << split << "/" << id << ": " << e.what() << "\n";
        continue;
      }
      if (slices) *slices = it->second.slices;
      return it->second.file;
    }
  return "";
}

}  // namespace p2l
