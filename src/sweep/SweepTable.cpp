#include "sweep/SweepTable.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/RunLayout.hpp"
#include "io/AtomicFile.hpp"
#include "io/Csv.hpp"
#include "report/HtmlReport.hpp"
#include "sweep/TableMetrics.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

struct SummaryLine {
  std::string method_id, method_label, rule_id, set;
  std::optional<SummaryMetric> metric;  // nullopt: one the table does not know (never tabulated)
  double mean = std::nan("");
};

std::vector<SummaryLine> read_summary(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::string line;
  std::getline(in, line);
  const auto header = split_csv_line(line);
  const std::vector<std::string> need = {"method_id", "method", "threshold_rule_id", "set", "metric", "mean"};
  std::vector<size_t> col;
  for (const auto& n : need) {
    const auto it = std::find(header.begin(), header.end(), n);
    if (it == header.end()) throw std::runtime_error(path + ": no column '" + n + "'");
    col.push_back(static_cast<size_t>(it - header.begin()));
  }
  std::vector<SummaryLine> out;
  while (std::getline(in, line)) {
    const auto f = split_csv_line(line);
    if (f.size() < header.size()) continue;
    SummaryLine s{f[col[0]], f[col[1]], f[col[2]], f[col[3]], summary_metrics().find(f[col[4]]),
                  std::strtod(f[col[5]].c_str(), nullptr)};
    out.push_back(s);
  }
  return out;
}

std::string column_name(const std::string& set, SummaryMetric m) { return set + " " + summary_metrics().id(m); }

// "tumor dice" -> "tumor Dice"; a metric the table does not know keeps its id.
std::string column_label(const std::string& column) {
  const auto sp = column.rfind(' ');
  const std::string id = column.substr(sp + 1);
  const std::optional<SummaryMetric> m = summary_metrics().find(id);
  return column.substr(0, sp) + " " + (m ? metric_label(*m) : id);
}

std::string fmt(double v) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

SweepTable build_sweep_table(const SweepPlan& plan, const SweepStatus& status) {
  SweepTable t;
  t.keys = plan.keys;
  std::vector<std::string> methods = plan.report.methods;
  std::map<std::string, std::string> method_labels;  // id -> label, from the summaries
  std::vector<std::string> sets;  // in order of appearance
  std::set<std::string> lesion_sets;
  std::map<int, std::vector<SummaryLine>> summaries;
  for (const auto& p : status.points) {
    if (!p.done()) continue;
    const std::string path = RunLayout(p.point->dir).results_summary_csv();
    try {
      summaries[p.point->index] = read_summary(path);
    } catch (const std::exception& e) {
      summaries[p.point->index] = {};
      std::fprintf(stderr, "p2l-sweep: %s\n", e.what());
    }
    for (const auto& s : summaries[p.point->index]) {
      if (methods.empty()) methods.push_back(s.method_id);  // the evaluation's first method
      method_labels.emplace(s.method_id, s.method_label);
      if (std::find(sets.begin(), sets.end(), s.set) == sets.end()) sets.push_back(s.set);
      // Sets with lesions (the healthy test set has none: Dice and AUPRC say nothing there).
      if (s.metric == kLesionVolume && s.mean > 0) lesion_sets.insert(s.set);
    }
  }
  for (const auto& set : sets)
    for (const SummaryMetric m : plan.report.metrics)
      if (lesion_sets.count(set) || tabulated_without_lesions(m)) t.columns.push_back(column_name(set, m));

  for (const auto& method : methods.empty() ? std::vector<std::string>{"-"} : methods) {
    for (const auto& p : status.points) {
      SweepTableRow r;
      r.point = p.point->name;
      r.method = method;
      r.method_label = method_labels.count(method) ? method_labels.at(method) : method;
      r.rule = plan.report.threshold_rule;
      for (const auto& key : plan.keys) {
        std::string v = "-";
        for (const auto& [k, value] : p.point->values)
          if (k == key) v = value;
        r.values.push_back(v);
      }
      r.state = p.state();
      if (p.done()) {
        for (const auto& s : summaries[p.point->index]) {
          if (!s.metric) continue;
          const std::string column = column_name(s.set, *s.metric);
          const bool tabulated = std::find(t.columns.begin(), t.columns.end(), column) != t.columns.end();
          if (s.method_id == method && s.rule_id == r.rule && tabulated && !std::isnan(s.mean)) r.metrics[column] = s.mean;
        }
        if (r.metrics.empty())
          r.state = "failed (no rows for '" + method + "' at '" + r.rule + "' in " +
                    RunLayout(p.point->dir).results_summary_csv() + ")";
      }
      t.rows.push_back(std::move(r));
    }
  }
  return t;
}

std::string sweep_table_markdown(const SweepTable& t) {
  std::ostringstream os;
  std::string method = "\n";
  for (const auto& r : t.rows) {
    if (r.method != method) {
      method = r.method;
      os << "\n### " << r.method_label << " (`" << r.method << "`), Dice at `" << r.rule << "`\n\n| point |";
      for (const auto& k : t.keys) os << " `" << k << "` |";
      os << " state |";
      for (const auto& c : t.columns) os << " " << column_label(c) << " |";
      os << "\n| --- |";
      for (size_t i = 0; i < t.keys.size(); ++i) os << " ---: |";
      os << " --- |";
      for (size_t i = 0; i < t.columns.size(); ++i) os << " ---: |";
      os << "\n";
    }
    os << "| " << r.point << " |";
    for (const auto& v : r.values) os << " " << v << " |";
    os << " " << r.state << " |";
    for (const auto& c : t.columns) {
      const auto it = r.metrics.find(c);
      os << " " << (it == r.metrics.end() ? "-" : fmt(it->second)) << " |";
    }
    os << "\n";
  }
  return os.str();
}

std::string sweep_table_csv(const SweepTable& t) {
  std::ostringstream os;
  os << "point";
  for (const auto& k : t.keys) os << "," << csv_quote(k);
  os << ",method,threshold_rule,state";
  for (const auto& c : t.columns) os << "," << csv_quote(c);
  os << "\n";
  for (const auto& r : t.rows) {
    os << csv_quote(r.point);
    for (const auto& v : r.values) os << "," << csv_quote(v);
    os << "," << csv_quote(r.method) << "," << csv_quote(r.rule) << "," << csv_quote(r.state);
    for (const auto& c : t.columns) {
      const auto it = r.metrics.find(c);
      os << "," << (it == r.metrics.end() ? "nan" : csv_number(it->second));
    }
    os << "\n";
  }
  return os.str();
}

SweepTable read_sweep_table_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open sweep table");
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(path + ": empty sweep table");
  const auto header = split_csv_line(line);
  const auto method_col = std::find(header.begin(), header.end(), "method");
  if (header.empty() || header[0] != "point" || method_col == header.end() || header.end() - method_col < 3)
    throw std::runtime_error(path + ": not a sweep table (header: " + line + ")");
  const size_t m = static_cast<size_t>(method_col - header.begin());
  SweepTable t;
  t.keys.assign(header.begin() + 1, method_col);
  t.columns.assign(method_col + 3, header.end());
  while (std::getline(in, line)) {
    const auto f = split_csv_line(line);
    if (f.size() != header.size()) throw std::runtime_error(path + ": a row has " + std::to_string(f.size()) +
                                                            " fields, the header " + std::to_string(header.size()));
    SweepTableRow r;
    r.point = f[0];
    r.values.assign(f.begin() + 1, f.begin() + static_cast<long>(m));
    r.method = f[m], r.rule = f[m + 1], r.state = f[m + 2];
    for (size_t c = m + 3; c < f.size(); ++c) {
      const double v = std::strtod(f[c].c_str(), nullptr);
      if (!std::isnan(v)) r.metrics[header[c]] = v;
    }
    t.rows.push_back(std::move(r));
  }
  return t;
}

void write_sweep_report(const SweepPlan& plan, const SweepTable& t, const SweepStatus& status,
                        const std::string& provenance) {
  const std::string out = plan.dir + "/report";
  fs::create_directories(out);
  size_t done = 0;
  for (const auto& p : status.points) done += p.done();
  std::ostringstream md;
  md << "# Sweep " << fs::path(plan.dir).filename().string() << "\n\n"
     << done << " of " << status.points.size() << " points done. Spec `" << plan.spec_path << "`, base config `"
     << plan.base_config << "`. " << provenance << "\n" << sweep_table_markdown(t);
  write_file_atomic(out + "/sweep_table.md", md.str());
  write_file_atomic(out + "/sweep_table.csv", sweep_table_csv(t));

  HtmlReport h;
  h.title = "Sweep " + fs::path(plan.dir).filename().string();
  h.intro = std::to_string(done) + " of " + std::to_string(status.points.size()) + " points done. " + provenance;
  std::string method = "\n";
  for (const auto& r : t.rows) {
    if (r.method != method) {
      method = r.method;
      HtmlTable table;
      table.header = {"point"};
      table.header.insert(table.header.end(), t.keys.begin(), t.keys.end());
      table.header.push_back("state");
      for (const auto& c : t.columns) table.header.push_back(column_label(c));
      h.tables.emplace_back(r.method + ", Dice at " + r.rule, table);
    }
    std::vector<HtmlCell> row;
    // The point's page, and the link to it from DIR/report/index.html.
    const std::string page = RunLayout(plan.dir + "/" + r.point).report_html();
    row.push_back({r.point, fs::exists(page) ? RunLayout("../" + r.point).report_html() : ""});
    for (const auto& v : r.values) row.push_back({v, ""});
    row.push_back({r.state, ""});
    for (const auto& c : t.columns) {
      const auto it = r.metrics.find(c);
      row.push_back({it == r.metrics.end() ? "-" : fmt(it->second), ""});
    }
    h.tables.back().second.rows.push_back(std::move(row));
  }
  h.notes.push_back("Each point's own report (figures, per-volume results) is linked from its name.");
  h.config_yaml = read_file(plan.spec_path, "sweep spec");
  write_file_atomic(out + "/index.html", render_html(h));
}

}  // namespace p2l
