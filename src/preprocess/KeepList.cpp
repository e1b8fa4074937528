#include "preprocess/KeepList.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "io/Csv.hpp"
#include "io/SubjectId.hpp"

namespace fs = std::filesystem;

namespace p2l {

KeepList KeepList::read(const std::string& csv) {
  if (!fs::is_regular_file(csv)) throw std::runtime_error(csv + ": keep list not found (data.keep_list)");
  std::ifstream in(csv);
  std::string line;
  if (!in || !std::getline(in, line)) throw std::runtime_error(csv + ": empty keep list, expected a header row");
  const auto header = split_csv_line(line);
  size_t column = header.size();
  for (const char* name : {"0", "img_name"})
    for (size_t i = 0; i < header.size() && column == header.size(); ++i)
      if (header[i] == name) column = i;
  if (column == header.size())
    throw std::runtime_error(csv + ": keep list has no column '0' or 'img_name'");
  KeepList list;
  list.path_ = csv;
  size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    const auto f = split_csv_line(line);
    if (column >= f.size() || f[column].empty()) continue;  // blank lines, short rows
    try {
      list.ids_.insert(subject_id_from_img_name(f[column]));
    } catch (const std::exception& e) {
      throw std::runtime_error(csv + ":" + std::to_string(lineno) + ": " + e.what());
    }
  }
  return list;
}

std::optional<KeepList> KeepList::for_run(const DataConfig& data) {
  const std::string& k = data.keep_list;
  if (k.empty()) throw std::runtime_error("data.keep_list: empty (auto, none or a CSV file)");
  if (k == "none") return std::nullopt;
  if (k == "auto") {
    const std::string t2 = (fs::path(data.data_dir) / "splits" / "avail_t2.csv").string();
    if (data.modality != Modality::kT2 || !fs::exists(t2)) return std::nullopt;
    return read(t2);
  }
  return read(fs::path(k).is_absolute() ? k : (fs::path(data.data_dir) / k).string());
}

}  // namespace p2l
