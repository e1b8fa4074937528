#include "config/RunLayout.hpp"

#include <utility>

#include "config/Config.hpp"

namespace p2l {

RunLayout::RunLayout(std::string root, std::string ae_subdir) : root_(std::move(root)), ae_subdir_(std::move(ae_subdir)) {}

RunLayout::RunLayout(const Config& cfg) : RunLayout(cfg.run.output_dir, cfg.ae.output_subdir) {}

std::string RunLayout::checkpoint_dir() const { return root_ + "/checkpoints"; }
std::string RunLayout::checkpoint(const std::string& which) const { return checkpoint_dir() + "/" + which + ".pt"; }
std::string RunLayout::train_log_jsonl() const { return root_ + "/train_log.jsonl"; }
std::string RunLayout::train_log() const { return root_ + "/train.log"; }
std::string RunLayout::train_config() const { return root_ + "/train_config.yaml"; }
std::string RunLayout::training_density_csv() const { return root_ + "/training_density.csv"; }
RunLayout RunLayout::ae() const { return RunLayout(root_ + "/" + ae_subdir_, ae_subdir_); }

std::string RunLayout::heatmaps_dir() const { return root_ + "/heatmaps"; }
std::string RunLayout::heatmap_dir(const std::string& split) const { return heatmaps_dir() + "/" + split; }
std::string RunLayout::raw_heatmap_dir(const std::string& split) const { return heatmap_dir(split) + "/raw"; }
std::string RunLayout::maps_dir() const { return root_ + "/maps"; }
std::string RunLayout::map_dir(const std::string& source) const { return maps_dir() + "/" + source; }
std::string RunLayout::scale_dir(const std::string& source) const { return root_ + "/scales/" + source; }
std::string RunLayout::report_dir() const { return root_ + "/report"; }
std::string RunLayout::report_md() const { return report_dir() + "/report.md"; }
std::string RunLayout::report_html() const { return report_dir() + "/index.html"; }
std::string RunLayout::table_md() const { return report_dir() + "/table.md"; }
std::string RunLayout::selection_csv() const { return report_dir() + "/selection.csv"; }
std::string RunLayout::results_per_volume_csv() const { return report_dir() + "/results_per_volume.csv"; }
std::string RunLayout::results_summary_csv() const { return report_dir() + "/results_summary.csv"; }
std::string RunLayout::evaluate_config() const { return report_dir() + "/evaluate_config.yaml"; }
std::string RunLayout::figures_dir() const { return report_dir() + "/figures"; }
std::string RunLayout::figure(const std::string& file) const { return figures_dir() + "/" + file; }
std::string RunLayout::volume_figures_dir() const { return figures_dir() + "/volumes"; }

std::string RunLayout::in_report(const std::string& path) const {
  const std::string prefix = report_dir() + "/";
  return path.compare(0, prefix.size(), prefix) == 0 ? path.substr(prefix.size()) : path;
}

}  // namespace p2l
