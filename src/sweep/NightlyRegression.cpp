#include "sweep/NightlyRegression.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "io/AtomicFile.hpp"
#include "sweep/SweepChoices.hpp"
#include "sweep/TableMetrics.hpp"
#include "sweep/TimeStamp.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string row_key(const SweepTableRow& r) { return r.point + "\n" + r.method; }

// Whether `change` in the metric of column "<set> <metric>" is for the worse; a metric the
// table does not know counts as higher-is-better.
bool got_worse(const std::string& column, double change) {
  const std::optional<SummaryMetric> m = summary_metrics().find(column.substr(column.rfind(' ') + 1));
  switch (m ? metric_direction(*m) : MetricDirection::kHigherIsBetter) {
    case MetricDirection::kHigherIsBetter: return change < 0;
    case MetricDirection::kLowerIsBetter: return change > 0;
    case MetricDirection::kNeither: return false;
  }
  throw std::logic_error("got_worse: unknown metric direction");
}

std::string meta_value(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ": ", 0) == 0) return line.substr(key.size() + 2);
  return "unknown";
}

}  // namespace

size_t Regression::worse() const {
  return static_cast<size_t>(std::count_if(changes.begin(), changes.end(), [](const MetricChange& c) { return c.worse; }));
}

Regression compare_sweep_tables(const SweepTable& before, const SweepTable& after, double tolerance) {
  Regression r;
  // A row's state is "done" (the id of StageState::kDone) or why it has no numbers.
  const std::string done = stage_states().id(StageState::kDone);
  std::map<std::string, const SweepTableRow*> old_rows;
  for (const auto& row : before.rows) old_rows[row_key(row)] = &row;
  for (const auto& c : after.columns)
    if (std::find(before.columns.begin(), before.columns.end(), c) == before.columns.end())
      r.notes.push_back("new column '" + c + "' (not in the previous table)");
  for (const auto& c : before.columns)
    if (std::find(after.columns.begin(), after.columns.end(), c) == after.columns.end())
      r.notes.push_back("column '" + c + "' is gone");
  for (const auto& row : after.rows) {
    const auto it = old_rows.find(row_key(row));
    if (it == old_rows.end()) {
      r.notes.push_back("new point " + row.point + " (" + row.method + ")");
      continue;
    }
    const SweepTableRow& old = *it->second;
    old_rows.erase(it);
    const bool was_done = old.state == done, is_done = row.state == done;
    if (was_done != is_done) {
      MetricChange c{row.point, row.method, "", 0, 0, old.state, row.state, was_done};
      r.changes.push_back(c);
      continue;
    }
    for (const auto& [column, value] : row.metrics) {
      const auto o = old.metrics.find(column);
      if (o == old.metrics.end()) continue;
      const double d = value - o->second;
      if (!(std::fabs(d) > tolerance)) continue;
      r.changes.push_back({row.point, row.method, column, o->second, value, old.state, row.state, got_worse(column, d)});
    }
  }
  for (const auto& [key, row] : old_rows) r.notes.push_back("point " + row->point + " (" + row->method + ") is gone");
  return r;
}

std::vector<NightlyArchive> list_nightly_archives(const SweepPlan& plan) {
  std::vector<NightlyArchive> out;
  const fs::path root = plan.dir + "/nightly";
  if (!fs::is_directory(root)) return out;
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string meta = e.path().string() + "/meta.txt";
    if (!e.is_directory() || !fs::exists(e.path() / "table.csv") || !fs::exists(meta)) continue;  // unfinished
    out.push_back({e.path().string(), meta_value(meta, "commit"), meta_value(meta, "time")});
  }
  // Folder names are UTC times (yyyymmddThhmmss), so name order is time order.
  std::sort(out.begin(), out.end(), [](const NightlyArchive& a, const NightlyArchive& b) { return a.dir < b.dir; });
  return out;
}

NightlyArchive archive_nightly_table(const SweepPlan& plan, const SweepTable& table, const std::string& commit) {
  const std::string stamp = time_text("%Y%m%dT%H%M%S", true), iso = time_text("%Y-%m-%dT%H:%M:%SZ", true);
  std::string dir = plan.dir + "/nightly/" + stamp;
  for (int n = 2; fs::exists(dir); ++n) dir = plan.dir + "/nightly/" + stamp + "-" + std::to_string(n);
  fs::create_directories(dir);
  write_file_atomic(dir + "/table.csv", sweep_table_csv(table));
  write_file_atomic(dir + "/table.md", sweep_table_markdown(table));
  // meta.txt last: an archive without it is unfinished and not read.
  write_file_atomic(dir + "/meta.txt", "commit: " + commit + "\ntime: " + iso + "\n");
  auto archives = list_nightly_archives(plan);
  for (size_t i = 0; i + static_cast<size_t>(plan.nightly.keep) < archives.size(); ++i) fs::remove_all(archives[i].dir);
  return {dir, commit, iso};
}

std::string regression_markdown(const Regression& r, const NightlyArchive& before, const NightlyArchive& after,
                                double tolerance) {
  std::ostringstream os;
  os << "# Nightly regression check\n\n"
     << "This night: " << after.time << ", commit `" << after.commit << "` (" << after.dir << ").\n"
     << "Previous night: " << before.time << ", commit `" << before.commit << "` (" << before.dir << ").\n"
     << "Tolerance: " << tolerance << " (absolute).\n\n";
  if (r.changes.empty()) {
    os << "**No metric moved by more than the tolerance.**\n";
  } else {
    os << "**" << r.worse() << " regression" << (r.worse() == 1 ? "" : "s") << "**, " << r.changes.size()
       << " change" << (r.changes.size() == 1 ? "" : "s") << " beyond the tolerance.\n\n"
       << "| point | method | metric | previous (" << before.commit << ") | now (" << after.commit
       << ") | change | verdict |\n| --- | --- | --- | ---: | ---: | ---: | --- |\n";
    for (const auto& c : r.changes) {
      os << "| " << c.point << " | " << c.method << " | ";
      if (c.column.empty()) {
        os << "state | " << c.state_before << " | " << c.state_after << " | - | ";
      } else {
        os << c.column << " | " << fmt(c.before) << " | " << fmt(c.after) << " | " << (c.after >= c.before ? "+" : "")
           << fmt(c.after - c.before) << " | ";
      }
      os << (c.worse ? "**worse**" : "better or neutral") << " |\n";
    }
  }
  for (const auto& n : r.notes) os << "\n- " << n;
  if (!r.notes.empty()) os << "\n";
  return os.str();
}

}  // namespace p2l
