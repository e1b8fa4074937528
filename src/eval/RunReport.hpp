#pragma once
// The report of an evaluation run: report/report.md (Markdown, figures linked) and
// report/index.html (one self-contained page, report/HtmlReport.hpp): the benchmark table, the
// notes, the figures, per-volume rows of the configured Patch2Loc method linking to their
// overlay images, the resolved configuration, software versions and stage times.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "scoring/MethodSelection.hpp"
#include "scoring/MethodScoring.hpp"
#include "report/MarkdownTable.hpp"

namespace p2l {

struct RunReport {
  std::string run_dir, checkpoint;  // the report goes to RunLayout(run_dir).report_dir()
  MarkdownTable table;
  const MethodResults* results = nullptr;
  const MethodSelection* selection = nullptr;     // may be null: no validation selection
  std::vector<std::string> sets;                   // diseased sets, table order
  std::string method;                              // per-volume rows: this method's
  std::vector<std::string> figures;                // PNG names under RunLayout::figures_dir()
  std::map<std::string, std::string> overlays;     // volume id -> overlay PNG (relative to the report folder)
  std::string config_yaml;
  std::vector<std::pair<std::string, std::string>> stages;  // (stage, time)
};

// Writes both files atomically.
void write_run_report(const RunReport& r);

// The libraries this build uses, with their versions (LibTorch, ITK, HDF5, MPI, TBB, compiler).
std::vector<std::pair<std::string, std::string>> software_versions();

// "4m33s", "2h01m", "12s".
std::string duration_text(double seconds);

// The wall time of a training run from its train_log.jsonl (summed over resumed runs); a
// negative value when the log is missing or has no step.
double training_seconds(const std::string& train_log_jsonl);

}  // namespace p2l
