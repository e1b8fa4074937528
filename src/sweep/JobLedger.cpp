#include "sweep/JobLedger.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace p2l {

JobLedger::JobLedger(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    LedgerEntry e;
    std::string stage, indices;
    if (!std::getline(fields, e.time, '\t') || !std::getline(fields, stage, '\t') ||
        !std::getline(fields, e.job_id, '\t') || !std::getline(fields, indices))
      continue;  // a line cut short by a crash
    e.stage = sweep_stages().parse(stage, path_ + ": line " + std::to_string(number) + ": stage");
    std::istringstream list(indices);
    for (std::string i; std::getline(list, i, ',');)
      if (i != "-" && !i.empty()) e.indices.push_back(std::stoi(i));
    entries_.push_back(std::move(e));
  }
}

void JobLedger::append(const LedgerEntry& e) {
  std::string indices;
  for (int i : e.indices) indices += (indices.empty() ? "" : ",") + std::to_string(i);
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  // One short line appended in one write: readers see whole lines.
  std::ofstream out(path_, std::ios::app);
  out << e.time << '\t' << sweep_stages().id(e.stage) << '\t' << e.job_id << '\t' << (indices.empty() ? "-" : indices) << '\n';
  if (!out.flush()) throw std::runtime_error(path_ + ": cannot append to the job ledger");
  entries_.push_back(e);
}

std::string JobLedger::latest(SweepStage stage, int index) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->stage != stage) continue;
    if (index < 0 && it->indices.empty()) return it->job_id;
    for (int i : it->indices)
      if (i == index) return it->job_id + "_" + std::to_string(index);
  }
  return "";
}

std::string status_file_path(const std::string& folder, const std::string& exe) {
  return folder + "/sweep-status/" + exe + ".status";
}

StageStatusFile read_status_file(const std::string& path) {
  StageStatusFile s;
  std::ifstream in(path);
  std::string word;
  while (in >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = word.substr(0, eq), v = word.substr(eq + 1);
    if (k == "state") s.state = status_file_states().parse(v, path + ": state");
    else if (k == "job") s.job = v;
    else if (k == "restart") s.restart = std::atoi(v.c_str());
    else if (k == "rc") s.rc = std::atoi(v.c_str());
    else if (k == "time") s.time = v;
  }
  return s;
}

}  // namespace p2l
