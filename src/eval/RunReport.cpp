#include "eval/RunReport.hpp"

#include <H5public.h>
#include <itkConfigure.h>
#include <oneapi/tbb/version.h>
#include <torch/version.h>

#include <cstdio>
#include <filesystem>

#include "dist/World.hpp"
#include "config/RunLayout.hpp"
#include "io/AtomicFile.hpp"
#include "report/HtmlReport.hpp"
#include "report/TrainingLogReader.hpp"

namespace p2l {
namespace {

std::string num(double x, int digits = 3) {
  if (x != x) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::string markdown(const RunReport& r, const std::string& table) {
  const RunLayout run(r.run_dir);
  std::string md = "# Patch2Loc evaluation\n\nCheckpoint: `" + r.checkpoint + "`. Heatmaps: `" + run.heatmaps_dir() +
                   "`. Scores inside the brain mask; Dice and AUPRC are mean ± std over the test "
                   "volumes of each set; the last column is the false-positive rate on the healthy test "
                   "volumes. Conventions: docs/EVALUATION.md. The same report as one page: `index.html`.\n\n" +
                   table + "\n";
  const std::vector<std::string> chosen = r.selection ? selection_lines(*r.selection, r.sets) : std::vector<std::string>{};
  if (!chosen.empty()) {
    md += "Validation-selected rows: the setting with the best mean validation Dice among the search space "
          "(eval.select_*), applied with its validation threshold to the test volumes; no test volume took part "
          "in the choice (`selection.csv`):\n\n";
    for (const auto& l : chosen) md += "- " + l + "\n";
    md += "\n";
  }
  if (!r.results->notes.empty()) {
    md += "Notes:\n\n";
    for (const auto& n : r.results->notes) md += "- " + n + "\n";
    md += "\n";
  }
  md += "Per-volume results: `results_per_volume.csv`; summaries (every metric, slice-level AUROC/AUPRC): "
        "`results_summary.csv`.\n\n## Figures\n\n";
  for (const auto& f : r.figures) md += "![" + f + "](" + run.in_report(run.figure(f)) + ")\n\n";
  return md;
}

// One row per test volume of the configured method (r.method) under its first threshold rule.
HtmlTable volume_table(const RunReport& r) {
  HtmlTable t;
  t.header = {"Set", "Volume (overlay)", "Threshold rule", "Dice", "AUROC", "AUPRC", "HD95 (mm)", "Lesion (ml)",
              "Predicted (ml)"};
  std::string rule;
  for (const auto& [method, rl] : r.results->rows)
    if (method == r.method) {
      rule = rl;
      break;
    }
  for (const auto& v : r.results->volumes) {
    if (v.method != r.method || v.rule != rule) continue;
    auto it = r.overlays.find(v.id);
    t.rows.push_back({{v.set, ""}, {v.id, it == r.overlays.end() ? "" : it->second}, {v.rule, ""}, {num(v.dice), ""},
                      {num(v.auroc), ""}, {num(v.auprc), ""}, {num(v.hd95, 1), ""}, {num(v.gt_ml, 2), ""},
                      {num(v.pred_ml, 2), ""}});
  }
  return t;
}

}  // namespace

std::string duration_text(double s) {
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(s / 60) % 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(s) % 60);
  else std::snprintf(buf, sizeof buf, "%.0fs", s);
  return buf;
}

double training_seconds(const std::string& path) {
  if (!std::filesystem::exists(path)) return -1;
  const TrainingSeries s = read_training_log(path);
  return s.wall.empty() ? -1 : s.wall.back();
}

std::vector<std::pair<std::string, std::string>> software_versions() {
  std::string mpi_text = mpi_library_version();
  if (auto nl = mpi_text.find_first_of("\r\n,"); nl != std::string::npos) mpi_text.resize(nl);
  return {{"patch2loc", P2L_VERSION},
          {"LibTorch", TORCH_VERSION},
          {"ITK", ITK_VERSION_STRING},
          {"HDF5", std::to_string(H5_VERS_MAJOR) + "." + std::to_string(H5_VERS_MINOR) + "." + std::to_string(H5_VERS_RELEASE)},
          {"MPI", mpi_text},
          {"oneTBB", TBB_VERSION_STRING},
          {"compiler", __VERSION__}};
}

void write_run_report(const RunReport& r) {
  const std::string table = r.table.render();
  const RunLayout run(r.run_dir);
  write_file_atomic(run.report_md(), markdown(r, table));
  HtmlReport h;
  h.title = "Patch2Loc evaluation: " + r.run_dir;
  h.intro = "Checkpoint " + r.checkpoint + ". Scores inside the brain mask; Dice and AUPRC are mean ± std over the test "
            "volumes of each set; the last column is the false-positive rate on the healthy test volumes. "
            "Per-volume metrics of every setting: results_per_volume.csv; conventions: docs/EVALUATION.md.";
  HtmlTable bench;
  bench.header = r.table.header;
  for (const auto& row : r.table.rows) {
    std::vector<HtmlCell> cells;
    for (const auto& c : row) cells.push_back({c, ""});
    bench.rows.push_back(cells);
  }
  h.tables = {{"Benchmark table", bench}, {"Per volume: " + r.method, volume_table(r)}};
  h.notes = r.selection ? selection_lines(*r.selection, r.sets) : std::vector<std::string>{};
  h.notes.insert(h.notes.end(), r.results->notes.begin(), r.results->notes.end());
  for (const auto& f : r.figures) h.figures.push_back({f, run.figure(f)});
  h.config_yaml = r.config_yaml;
  h.versions = software_versions();
  h.stages = r.stages;
  write_file_atomic(run.report_html(), render_html(h));
}

}  // namespace p2l
