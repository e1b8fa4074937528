#include "io/SplitCsv.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "io/AtomicFile.hpp"
#include "io/Csv.hpp"
#include "io/SubjectId.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

std::string resolve(const fs::path& root, const std::string& rel, const std::string& csv, size_t line,
                    const std::string& column) {
  // Paths are relative to DATA_DIR even when they begin with '/'.
  std::string r = rel;
  while (!r.empty() && r[0] == '/') r.erase(0, 1);
  fs::path p = (root / r).lexically_normal();
  auto rootn = root.lexically_normal();
  auto rel_to_root = p.lexically_relative(rootn);
  if (rel_to_root.empty() || *rel_to_root.begin() == "..")
    throw std::runtime_error(csv + ":" + std::to_string(line) + ": " + column + " '" + rel +
                             "' points outside DATA_DIR " + root.string());
  return p.string();
}

}  // namespace

std::vector<SubjectRecord> read_split(const std::string& data_dir, const std::string& name) {
  return read_split_file(data_dir, (fs::path(data_dir) / "splits" / (name + ".csv")).string());
}

std::vector<SubjectRecord> read_split_file(const std::string& data_dir, const std::string& csv) {
  std::ifstream in(csv);
  if (!fs::exists(csv)) throw std::runtime_error(csv + ": split CSV not found");
  if (!in) throw std::runtime_error(csv + ": cannot open split CSV");
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(csv + ": empty file, expected a header row");
  auto header = split_csv_line(line);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* req : {"img_name", "img_path", "mask_path", "label"})
    if (!col.count(req))
      throw std::runtime_error(csv + ": missing required column '" + std::string(req) + "'");
  fs::path root = fs::absolute(data_dir);
  std::vector<SubjectRecord> rows;
  size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto f = split_csv_line(line);
    auto get = [&](const std::string& c) -> std::string {
      auto it = col.find(c);
      return it == col.end() || it->second >= f.size() ? std::string() : f[it->second];
    };
    SubjectRecord r;
    r.img_name = get("img_name");
    if (r.img_name.empty()) throw std::runtime_error(csv + ":" + std::to_string(lineno) + ": empty img_name");
    try {
      r.id = subject_id_from_img_name(r.img_name);
    } catch (const std::exception& e) {
      throw std::runtime_error(csv + ":" + std::to_string(lineno) + ": " + e.what());
    }
    if (get("img_path").empty() || get("mask_path").empty())
      throw std::runtime_error(csv + ":" + std::to_string(lineno) + ": empty img_path or mask_path");
    r.image = resolve(root, get("img_path"), csv, lineno, "img_path");
    r.mask = resolve(root, get("mask_path"), csv, lineno, "mask_path");
    if (!get("seg_path").empty()) r.seg = resolve(root, get("seg_path"), csv, lineno, "seg_path");
    std::string lab = get("label");
    try {
      size_t used = 0;
      r.label = std::stoi(lab, &used);
      if (used != lab.size() || (r.label != 0 && r.label != 1)) throw std::invalid_argument(lab);
    } catch (const std::exception&) {
      throw std::runtime_error(csv + ":" + std::to_string(lineno) + ": label '" + lab + "' is not 0 or 1");
    }
    std::string age = get("age");
    if (!age.empty()) {
      try {
        r.age = std::stod(age);
      } catch (const std::exception&) {
        throw std::runtime_error(csv + ":" + std::to_string(lineno) + ": age '" + age + "' is not a number");
      }
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void write_split_file(const std::string& data_dir, const std::string& csv,
                      const std::vector<SubjectRecord>& rows) {
  fs::path root = fs::absolute(data_dir);
  auto rel = [&](const std::string& p) {
    return p.empty() ? std::string() : "/" + fs::path(p).lexically_relative(root).string();
  };
  std::ostringstream os;
  os << ",img_name,age,label,img_path,mask_path,seg_path,Sex\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    os << i << "," << csv_quote(r.img_name) << "," << (r.age ? std::to_string(int(*r.age)) : "") << "," << r.label
       << "," << rel(r.image) << "," << rel(r.mask) << "," << rel(r.seg) << ",\n";
  }
  write_file_atomic(csv, os.str());
}

}  // namespace p2l
