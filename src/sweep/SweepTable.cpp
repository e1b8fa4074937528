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

#include "config/EvalChoices.hpp"
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

// A point's value of a swept key; "-" when the point does not set it.
std::string value_of(const SweepPoint& p, const std::string& key) {
  for (const auto& [k, value] : p.values)
    if (k == key) return value;
  return "-";
}

// The fused evaluation's rows (spec key `fuse`) have its folder name as their point: they share
// one table, each named "fused: <method>"; a point's rows get a table per method.
bool is_fused(const SweepTableRow& r) { return r.point == SweepPlan::kFusedRun; }
std::string group_of(const SweepTableRow& r) { return is_fused(r) ? r.point : r.method; }
std::string row_name(const SweepTableRow& r) { return is_fused(r) ? r.point + ": " + r.method : r.point; }
std::string group_title(const SweepTableRow& r, bool markdown) {
  const std::string q = markdown ? "`" : "";
  if (is_fused(r))
    return "Fused scales (" + q + r.point + q + ": every point's checkpoint in one multi-scale evaluation), Dice at " + q +
           r.rule + q;
  return (markdown ? r.method_label + " (`" + r.method + "`)" : r.method) + ", Dice at " + q + r.rule + q;
}

}  // namespace

SweepTable build_sweep_table(const SweepPlan& plan, const SweepStatus& status) {
  SweepTable t;
  t.keys = plan.keys;
  std::vector<std::string> methods = plan.report.methods;
  std::map<std::string, std::string> method_labels;  // id -> label, from the summaries
  std::vector<std::string> sets;  // in order of appearance
  std::set<std::string> lesion_sets;
  // A run's summary (a point's, the fused evaluation's), its labels and sets noted.
  auto read_run = [&](const std::string& dir) {
    std::vector<SummaryLine> lines;
    try {
      lines = read_summary(RunLayout(dir).results_summary_csv());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "p2l-sweep: %s\n", e.what());
    }
    for (const auto& s : lines) {
      method_labels.emplace(s.method_id, s.method_label);
      if (std::find(sets.begin(), sets.end(), s.set) == sets.end()) sets.push_back(s.set);
      // Sets with lesions (the healthy test set has none: Dice and AUPRC say nothing there).
      if (s.metric == kLesionVolume && s.mean > 0) lesion_sets.insert(s.set);
    }
    return lines;
  };
  std::map<int, std::vector<SummaryLine>> summaries;
  for (const auto& p : status.points) {
    if (!p.done()) continue;
    const auto& lines = summaries[p.point->index] = read_run(p.point->dir);
    if (methods.empty() && !lines.empty()) methods.push_back(lines.front().method_id);  // the evaluation's first method
  }
  const bool fused_done = plan.fuse.enabled && status.fuse.done();
  const std::vector<SummaryLine> fused = fused_done ? read_run(plan.fused_dir()) : std::vector<SummaryLine>{};
  for (const auto& set : sets)
    for (const SummaryMetric m : plan.report.metrics)
      if (lesion_sets.count(set) || tabulated_without_lesions(m)) t.columns.push_back(column_name(set, m));

  // The row's numbers from its run's summary; a run that is done without them is failed.
  auto fill = [&](SweepTableRow& r, const std::vector<SummaryLine>& lines, const std::string& dir) {
    for (const auto& s : lines) {
      if (!s.metric) continue;
      const std::string column = column_name(s.set, *s.metric);
      const bool tabulated = std::find(t.columns.begin(), t.columns.end(), column) != t.columns.end();
      if (s.method_id == r.method && s.rule_id == r.rule && tabulated && !std::isnan(s.mean)) r.metrics[column] = s.mean;
    }
    if (r.metrics.empty())
      r.state = "failed (no rows for '" + r.method + "' at '" + r.rule + "' in " + RunLayout(dir).results_summary_csv() + ")";
  };
  auto label_of = [&](const std::string& method) {
    return method_labels.count(method) ? method_labels.at(method) : method;
  };

  for (const auto& method : methods.empty() ? std::vector<std::string>{"-"} : methods) {
    for (const auto& p : status.points) {
      SweepTableRow r;
      r.point = p.point->name;
      r.method = method;
      r.method_label = label_of(method);
      r.rule = plan.report.threshold_rule;
      for (const auto& key : plan.keys) r.values.push_back(value_of(*p.point, key));
      r.state = p.state();
      if (p.done()) fill(r, summaries[p.point->index], p.point->dir);
      t.rows.push_back(std::move(r));
    }
  }

  if (plan.fuse.enabled) {
    // The multi-scale methods alone (multiscale_<rule>, not their fusion pairs) as the fused
    // evaluation's summary lists them; until there is one, as its config will, so a failed
    // fused evaluation is a row that was done and is not (a nightly regression).
    std::vector<std::string> fused_methods;
    for (const auto& s : fused)
      if (s.method_id.rfind(kMultiScaleSourcePrefix, 0) == 0 && s.method_id.find('*') == std::string::npos &&
          std::find(fused_methods.begin(), fused_methods.end(), s.method_id) == fused_methods.end())
        fused_methods.push_back(s.method_id);
    if (fused_methods.empty()) fused_methods = plan.fuse.methods;
    // Every scale is in the one evaluation: each key's values over the points.
    std::vector<std::string> values;
    for (const auto& key : plan.keys) {
      std::vector<std::string> seen;
      for (const auto& pt : plan.points)
        if (std::find(seen.begin(), seen.end(), value_of(pt, key)) == seen.end()) seen.push_back(value_of(pt, key));
      std::string v;
      for (const auto& one : seen) v += (v.empty() ? "" : "+") + one;
      values.push_back(v);
    }
    for (const auto& method : fused_methods) {
      SweepTableRow r;
      r.point = SweepPlan::kFusedRun;
      r.method = method;
      r.method_label = label_of(method);
      r.rule = plan.report.threshold_rule;
      r.values = values;
      r.state = status.fuse.described();
      if (fused_done) fill(r, fused, plan.fused_dir());
      t.rows.push_back(std::move(r));
    }
  }
  return t;
}

std::string sweep_table_markdown(const SweepTable& t) {
  std::ostringstream os;
  std::string group = "\n";
  for (const auto& r : t.rows) {
    if (group_of(r) != group) {
      group = group_of(r);
      os << "\n### " << group_title(r, true) << "\n\n| point |";
      for (const auto& k : t.keys) os << " `" << k << "` |";
      os << " state |";
      for (const auto& c : t.columns) os << " " << column_label(c) << " |";
      os << "\n| --- |";
      for (size_t i = 0; i < t.keys.size(); ++i) os << " ---: |";
      os << " --- |";
      for (size_t i = 0; i < t.columns.size(); ++i) os << " ---: |";
      os << "\n";
    }
    os << "| " << row_name(r) << " |";
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
  const std::string fused = plan.fuse.enabled ? " Fused evaluation: " + status.fuse.described() + "." : "";
  std::ostringstream md;
  md << "# Sweep " << fs::path(plan.dir).filename().string() << "\n\n"
     << done << " of " << status.points.size() << " points done." << fused << " Spec `" << plan.spec_path
     << "`, base config `" << plan.base_config << "`. " << provenance << "\n" << sweep_table_markdown(t);
  write_file_atomic(out + "/sweep_table.md", md.str());
  write_file_atomic(out + "/sweep_table.csv", sweep_table_csv(t));

  HtmlReport h;
  h.title = "Sweep " + fs::path(plan.dir).filename().string();
  h.intro = std::to_string(done) + " of " + std::to_string(status.points.size()) + " points done." + fused + " " + provenance;
  std::string group = "\n";
  for (const auto& r : t.rows) {
    if (group_of(r) != group) {
      group = group_of(r);
      HtmlTable table;
      table.header = {"point"};
      table.header.insert(table.header.end(), t.keys.begin(), t.keys.end());
      table.header.push_back("state");
      for (const auto& c : t.columns) table.header.push_back(column_label(c));
      h.tables.emplace_back(group_title(r, false), table);
    }
    std::vector<HtmlCell> row;
    // The point's page (the fused evaluation's for its rows), and the link to it from
    // DIR/report/index.html.
    const std::string page = RunLayout(plan.dir + "/" + r.point).report_html();
    row.push_back({row_name(r), fs::exists(page) ? RunLayout("../" + r.point).report_html() : ""});
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
