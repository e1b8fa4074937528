#pragma once
// The run folder (run.output_dir): the one place that names where every stage writes in it.
// The paths are a contract with users and scripts (tests/config/test_config_run_layout.cpp
// asserts them; docs/ARCHITECTURE.md, "Run folder", lists them):
//
//   ROOT/checkpoints/{best,last}.pt        p2l-train (train/DataParallelLoop)
//   ROOT/train_log.jsonl, ROOT/train.log   its logs (train/TrainingLog)
//   ROOT/train_config.yaml                 its resolved config
//   ROOT/training_density.csv              the sampled target locations (train/Trainer)
//   ROOT/<ae.output_subdir>/...            p2l-train-ae: the same names under ae() (default ae/)
//   ROOT/heatmaps/<split>/                 p2l-evaluate's heatmaps on the input grid; the file
//   ROOT/heatmaps/<split>/raw/             names inside are eval/HeatmapCache's
//   ROOT/maps/<source>/                    the built-in baselines' maps (eval/BaselineMaps)
//   ROOT/report/{report.md,index.html,table.md,selection.csv,results_per_volume.csv,
//                results_summary.csv,evaluate_config.yaml}
//   ROOT/report/figures/, ROOT/report/figures/volumes/
//
// Paths are joined as text (ROOT + "/" + name), so they read exactly as run.output_dir and
// ae.output_subdir are written (ae.output_subdir may be relative, e.g. "../shared/ae").
// The shell's mirror of this layout, kept by hand: scripts/run_demo.sh (ROOT/demo.log, its own
// log; ROOT/report/report.md), scripts/run_multiscale.sh (ROOT/multiscale.log, ROOT/patch-<pf>/),
// slurm/job-steps.sh (a sweep point's sweep-status/, owned by
// sweep/JobLedger), tests/scripts/{test_eval_pipeline,test_train_signal,test_train_resume_kill,
// test_slurm_pipeline,test_slurm_sweep,test_slurm_sweep_fuse,test_eval_multiscale,test_published_splits,
// slurm_fixture}.sh and
// bench/plot_training_curves.py (train_log.jsonl).
#include <string>

namespace p2l {

struct Config;

class RunLayout {
 public:
  explicit RunLayout(std::string root, std::string ae_subdir = "ae");
  // run.output_dir, with ae.output_subdir for ae().
  explicit RunLayout(const Config& cfg);

  const std::string& root() const { return root_; }

  // Training (p2l-train; p2l-train-ae writes the same names under ae()).
  std::string checkpoint_dir() const;                      // ROOT/checkpoints
  std::string checkpoint(const std::string& which) const;  // ROOT/checkpoints/<which>.pt
  std::string best_checkpoint() const { return checkpoint("best"); }
  std::string last_checkpoint() const { return checkpoint("last"); }
  std::string train_log_jsonl() const;       // ROOT/train_log.jsonl
  std::string train_log() const;             // ROOT/train.log
  std::string train_config() const;          // ROOT/train_config.yaml
  std::string training_density_csv() const;  // ROOT/training_density.csv
  // The autoencoder baseline's own run folder: ROOT/<ae.output_subdir>.
  RunLayout ae() const;

  // Evaluation (p2l-evaluate).
  std::string heatmaps_dir() const;                            // ROOT/heatmaps
  std::string heatmap_dir(const std::string& split) const;     // ROOT/heatmaps/<split>
  std::string raw_heatmap_dir(const std::string& split) const; // ROOT/heatmaps/<split>/raw
  std::string maps_dir() const;                                // ROOT/maps
  std::string map_dir(const std::string& source) const;        // ROOT/maps/<source>
  // A multi-scale evaluation's other scale (eval.scales): its heatmaps, as this run's, under
  // ROOT/scales/<source> (eval/ScaleSet.hpp).
  std::string scale_dir(const std::string& source) const;      // ROOT/scales/<source>
  std::string report_dir() const;                              // ROOT/report
  std::string report_md() const;                               // ROOT/report/report.md
  std::string report_html() const;                             // ROOT/report/index.html
  std::string table_md() const;                                // ROOT/report/table.md
  std::string selection_csv() const;                           // ROOT/report/selection.csv
  std::string results_per_volume_csv() const;                  // ROOT/report/results_per_volume.csv
  std::string results_summary_csv() const;                     // ROOT/report/results_summary.csv
  std::string evaluate_config() const;                         // ROOT/report/evaluate_config.yaml
  std::string figures_dir() const;                             // ROOT/report/figures
  std::string figure(const std::string& file) const;           // ROOT/report/figures/<file>
  std::string volume_figures_dir() const;                      // ROOT/report/figures/volumes
  // `path` relative to report_dir() (links inside report.md and index.html); other paths as
  // they are.
  std::string in_report(const std::string& path) const;

 private:
  std::string root_, ae_subdir_;
};

}  // namespace p2l
