#include "eval/EvaluationJob.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "config/Config.hpp"
#include "config/RunLayout.hpp"
#include "dist/World.hpp"
#include "eval/BaselineMaps.hpp"
#include "eval/EvaluationFigures.hpp"
#include "eval/HeatmapBuilder.hpp"
#include "eval/HeatmapCache.hpp"
#include "eval/InputGridOutputs.hpp"
#include "eval/MultiScaleMaps.hpp"
#include "eval/RunReport.hpp"
#include "eval/ScaleSet.hpp"
#include "eval/SubjectFailures.hpp"
#include "eval/TensorMedianFilter.hpp"
#include "io/AtomicFile.hpp"
#include "io/ProgressMeter.hpp"
#include "scoring/MedianFilter.hpp"
#include "scoring/MethodScoring.hpp"
#include "scoring/MethodSelection.hpp"
#include "scoring/ResultTables.hpp"
#include "scoring/TestScoring.hpp"
#include "store/StoreReader.hpp"
#include "train/AdoptedFacts.hpp"
#include "train/Checkpoint.hpp"
#include "train/DataParallelLoop.hpp"

namespace p2l {
namespace {

constexpr const char* kTool = "p2l-evaluate";
using Clock = std::chrono::steady_clock;
// (label, train_log.jsonl) of each model the report shows training curves and times of.
using TrainingLogs = std::vector<std::pair<std::string, std::string>>;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// "p2l-evaluate rank R/N", the head of this rank's lines.
std::string rank_tag(const World& world) {
  return std::string(kTool) + " rank " + std::to_string(world.rank()) + "/" + std::to_string(world.size());
}

void log_line(const std::string& line) { std::cerr << kTool << ": " << line << "\n"; }

// eval.checkpoint is a file path or the name of one of the run's own checkpoints. The value is
// open (any path), so it stays text in the config and only these two names are keywords.
constexpr std::array<const char*, 2> kRunCheckpoints = {"best", "last"};
bool names_run_checkpoint(const std::string& value) {
  return std::find(kRunCheckpoints.begin(), kRunCheckpoints.end(), value) != kRunCheckpoints.end();
}

std::string checkpoint_path(const Config& cfg) {
  const std::string& c = cfg.eval.checkpoint;
  const std::string path = names_run_checkpoint(c) ? RunLayout(cfg).checkpoint(c) : c;
  if (!std::filesystem::exists(path))
    throw std::runtime_error(path + ": checkpoint not found (eval.checkpoint=" + c + "; train first or give a path)");
  return path;
}

// The splits evaluated, healthy reference first; the reference and a diseased set's _test split
// are required, a set's _val split is optional (without it validation_dice is not computed).
std::vector<std::string> splits_to_score(const Config& cfg, const StoreReader& store, const std::string& reference) {
  const auto have = store.splits();
  auto exists = [&](const std::string& s) { return std::find(have.begin(), have.end(), s) != have.end(); };
  if (!exists(reference))
    throw std::runtime_error(store.dir() + ": store has no split '" + reference +
                             "', the healthy reference split (eval.healthy_reference_split, empty: data.val_split) "
                             "that the healthy-quantile and FPR thresholds and the fusion statistics are fitted on; "
                             "preprocess it or name another healthy split");
  std::vector<std::string> out;
  for (const auto& s : {reference, cfg.data.healthy_test_split})
    if (exists(s) && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  for (const auto& set : cfg.data.test_sets) {
    if (!exists(set + "_test"))
      throw std::runtime_error(store.dir() + ": store has no split '" + set + "_test' (data.test_sets)");
    out.push_back(set + "_test");
    if (exists(set + "_val")) out.push_back(set + "_val");
  }
  return out;
}

// The checkpoint's network (cfg.model holds its adopted architecture) on `device`.
HeatmapBuilder heatmap_builder(const Config& cfg, const TrainedSlices& trained, const std::string& ckpt,
                               torch::Device device) {
  Patch2LocNet net(cfg.model);
  load_model_weights(ckpt, *net);
  HeatmapOptions opt;
  opt.stride = cfg.eval.stride;
  opt.patch_fraction = cfg.train.patch_fraction;
  opt.min_brain_fraction = cfg.train.min_brain_fraction;
  opt.trained_slices = trained;
  opt.batch_size = cfg.eval.batch_size;
  opt.precision = cfg.eval.precision;
  opt.fold_batchnorm = cfg.eval.fold_batchnorm;
  return HeatmapBuilder(net, opt, device);
}

// The configured Patch2Loc heatmap (eval.score, eval.median_size, eval.erode_mask), filtered on
// the rank's device: the heatmap written per subject, and the method of the segmentations, the
// overlays and the report's per-volume rows.
struct ConfiguredHeatmap {
  Method method;
  int erode_mask = 0;
  MapFilter filter;
};

ConfiguredHeatmap configured_heatmap(const EvalConfig& eval, torch::Device device) {
  Method m;
  m.score = eval.score, m.median_size = eval.median_size;
  return {m, eval.erode_mask, device.is_cuda() ? map_filter_on(device) : MapFilter(filter_and_mask)};
}

// One other patch size of a multi-scale evaluation (eval.scales): its config (the checkpoint's
// facts adopted, its stride and median size, its run folder RunLayout::scale_dir) and what is
// known of its training slices.
struct ScaleRun {
  ScaleSettings settings;
  Config cfg;
  TrainedSlices slices;
};

std::vector<ScaleRun> scale_runs(const Config& cfg, const std::string& ckpt, bool lead) {
  const std::vector<std::string> files = scale_checkpoints(cfg.eval.scales, ckpt);
  std::vector<ScaleRun> out;
  for (size_t i = 0; i < files.size(); ++i) {
    ScaleRun r;
    r.cfg = cfg;
    // The command line's values are the reference scale's: another scale's facts replace them.
    r.cfg.overridden.clear();
    const AdoptedFacts facts = adopt_patch2loc_facts(r.cfg, load_model_facts(files[i]), files[i]);
    r.slices = facts.slices;
    r.settings = scale_settings(cfg.eval, i, files.size(), files[i], r.cfg.train.patch_fraction, cfg.train.patch_fraction);
    r.cfg.eval.stride = r.settings.stride, r.cfg.eval.median_size = r.settings.median_size;
    r.cfg.run.output_dir = RunLayout(cfg).scale_dir(r.settings.source);
    if (lead) {
      std::string lines = std::string(kTool) + ": scale " + r.settings.source + ": stride " + std::to_string(r.settings.stride) +
                          ", median size " + std::to_string(r.settings.median_size) + ", heatmaps in " + r.cfg.run.output_dir + "\n";
      for (const auto& line : facts.log) lines += std::string(kTool) + ": scale " + r.settings.source + ": " + line + "\n";
      std::cerr << lines;
    }
    out.push_back(std::move(r));
  }
  return out;
}

// Rank 0, before any rank writes: the autoencoder's settings to the log, the resolved config, no
// partial file of an interrupted run (never read, since only committed names are, but they would
// stay forever), and no multi-scale map of an earlier evaluation (`fresh_dirs`, emptied).
void prepare_run_folder(Config& cfg, const RunLayout& run, const BaselineMaps& baselines,
                        const std::vector<ScaleRun>& scales, const std::vector<std::string>& fresh_dirs) {
  for (const auto& line : baselines.settings_log()) std::cerr << std::string(kTool) + ": " + line + "\n";
  cfg.write(run.evaluate_config());
  int stale = remove_stale_temporaries(run.heatmaps_dir(), true) + remove_stale_temporaries(run.maps_dir(), true);
  for (const auto& s : scales) stale += remove_stale_temporaries(RunLayout(s.cfg).heatmaps_dir(), true);
  if (stale > 0) std::fprintf(stderr, "%s: removed %d partial file(s) of an interrupted run\n", kTool, stale);
  for (const auto& dir : fresh_dirs) std::filesystem::remove_all(dir);
}

struct Work {
  std::string split, id;
};

// Computes what subject `w` lacks: its built-in baseline maps, and its heatmap (raw scores into
// the cache, then the configured heatmap and its components on the input grid). True when the
// heatmap was computed rather than found in the cache.
bool map_subject(const Work& w, const StoreReader& store, const HeatmapCache& cache, HeatmapBuilder& builder,
                 const BaselineMaps* baselines, const ConfiguredHeatmap& heatmap) {
  const bool need_heatmap = !cache.has_raw(w.split, w.id) || !std::filesystem::exists(cache.heatmap_path(w.split, w.id));
  const bool need_baseline = baselines && baselines->any() && !baselines->has(w.id);
  if (!need_heatmap && !need_baseline) return false;
  SubjectSlices s = store.load(w.split, w.id);
  s.split = w.split;
  if (need_baseline) baselines->write(s);
  if (!need_heatmap) return false;
  ScoreMaps raw = builder.score_maps(s);
  cache.write_raw(w.split, w.id, raw);
  EvalSubject e;
  e.mask = slices_to_volume(s.mask, s.geom);
  e.raw = std::move(raw);
  write_input_grid_heatmaps(cache, w.split, w.id, patch2loc_map(e, heatmap.method, heatmap.erode_mask, heatmap.filter),
                            e.raw, s.source_geom);
  return true;
}

struct HeatmapPhase {
  int failed = 0;      // subjects without their maps, over every rank
  double seconds = 0;  // this rank's share
};

// Phase 1: the heatmaps and baseline maps (`baselines`, may be null: none) of every split's
// subjects, dealt round-robin over the ranks; `what` names them in the progress lines ("heatmaps",
// "heatmaps of patch2loc@0.0625"). A subject that fails is left out; rank 0 prints every rank's
// failures by reason.
HeatmapPhase compute_maps(const std::vector<std::string>& splits, const StoreReader& store, const HeatmapCache& cache,
                          HeatmapBuilder& builder, const BaselineMaps* baselines, const ConfiguredHeatmap& heatmap,
                          const std::string& what, double progress_seconds, World& world) {
  std::vector<Work> mine;
  size_t dealt = 0;
  for (const auto& split : splits)
    for (const auto& id : store.subjects(split))
      if (int(dealt++ % size_t(world.size())) == world.rank()) mine.push_back({split, id});
  ProgressMeter progress(rank_tag(world) + ": " + what, long(mine.size()), progress_seconds, std::cerr);
  SubjectFailures failures;
  size_t computed = 0;
  for (size_t i = 0; i < mine.size(); ++i) {
    try {
      if (map_subject(mine[i], store, cache, builder, baselines, heatmap)) ++computed;
    } catch (const std::exception& e) {
      failures.add(mine[i].split, mine[i].id, e.what());
    }
    progress.update(long(i + 1));
  }
  HeatmapPhase out;
  out.seconds = progress.elapsed_seconds();
  // What the rank's share took: the line scripts read the computed and cached counts from.
  if (!mine.empty())
    std::fprintf(stderr, "%s: %s %zu/%zu volumes (%zu computed, %zu cached), %.0f patches/s\n",
                 rank_tag(world).c_str(), what.c_str(), mine.size(), mine.size(), computed,
                 mine.size() - computed - size_t(failures.count()),
                 out.seconds > 0 ? double(builder.patches_scored()) / out.seconds : 0.0);
  out.failed = world.all_reduce_sum(failures.count());
  const std::string summary = failures.gather_summary(world, kTool);
  if (world.rank() == 0) std::cerr << summary;
  return out;
}

// `with_image`: the scan too, for figures (test splits only; the held splits never show it).
EvalSubject to_eval_subject(const SubjectSlices& s, const HeatmapCache& cache, bool with_image) {
  EvalSubject e;
  e.id = s.id, e.label = s.label;
  e.mask = slices_to_volume(s.mask, s.geom);
  if (s.has_seg()) e.seg = slices_to_volume(s.seg, s.geom);
  if (with_image) e.image = slices_to_volume(s.image, s.geom);
  e.raw = cache.read_raw(s.split, s.id);
  e.source_geom = s.source_geom;
  return e;
}

struct ScoringInputs {
  EvalInputs in;
  int without_heatmap = 0;  // subjects left out: their maps failed in phase 1
};

// The splits as scoring reads them, each subject loaded from the store and the heatmap cache
// when a pass reaches it (scoring/EvalInputs.hpp): the test splits, and with `held` (the rank
// that plans) the healthy reference and validation splits.
ScoringInputs scoring_inputs(const Config& cfg, const StoreReader& store, const HeatmapCache& cache,
                             const std::vector<std::string>& splits, const std::string& reference,
                             const std::map<std::string, std::string>& source_dirs, const ConfiguredHeatmap& heatmap,
                             bool held) {
  ScoringInputs out;
  EvalInputs& in = out.in;
  in.sets = cfg.data.test_sets;
  in.healthy_name = cfg.data.healthy_test_split;
  in.source_dirs = source_dirs;
  in.erode_mask = heatmap.erode_mask;
  in.map_filter = heatmap.filter;
  // `with_image`: the scan too, for the figures of test subjects.
  auto lazy = [&](const std::string& split, bool with_image) {
    std::vector<std::string> ids;
    for (const auto& id : store.subjects(split)) {
      if (cache.has_raw(split, id)) ids.push_back(id);
      else ++out.without_heatmap;
    }
    return SubjectList(ids, [&store, &cache, split, with_image](const std::string& id) {
      SubjectSlices s = store.load(split, id);
      s.split = split;
      return to_eval_subject(s, cache, with_image);
    });
  };
  const std::set<std::string> have(splits.begin(), splits.end());
  if (have.count(cfg.data.healthy_test_split)) in.healthy_test = lazy(cfg.data.healthy_test_split, true);
  for (const auto& set : in.sets) in.test[set] = lazy(set + "_test", true);
  if (held) {
    in.healthy_reference = lazy(reference, false);
    for (const auto& set : in.sets)
      if (have.count(set + "_val")) in.val[set] = lazy(set + "_val", false);
  }
  return out;
}

bool selects(const EvalConfig& eval, SelectScope scope) {
  return std::find(eval.select.begin(), eval.select.end(), scope) != eval.select.end();
}

struct PlanningPhase {
  TestPlan plan;
  MethodSelection selection;
  MethodResults results;  // the table's rows and the notes; scoring adds the measurements
};

// Phase 2, rank 0: the methods (eval.methods, else this config's) planned from the healthy
// reference and validation splits, then the validation selection (eval.select), written to
// selection.csv.
PlanningPhase plan_scoring(const EvalConfig& eval, const RunLayout& run, const EvalInputs& in) {
  PlanningPhase p;
  const MethodGrid grid = eval.methods.empty() ? method_grid_from_config(eval) : read_method_grid(eval.methods, eval);
  p.plan = plan_methods(grid, in, p.results, log_line);
  const bool per_set = selects(eval, SelectScope::kPerSet), pooled = selects(eval, SelectScope::kPooled);
  if (per_set || pooled) {
    const std::set<std::string> skip(p.results.failed_sources.begin(), p.results.failed_sources.end());
    p.selection = select_methods(selection_candidates(eval), in, per_set, pooled, skip, log_line);
    plan_selected(p.selection, in, p.plan, p.results);
    write_selection_csv(run.selection_csv(), p.selection, in.sets);
    for (const auto& line : selection_lines(p.selection, in.sets)) log_line(line);
  }
  return p;
}

// Phase 3, every rank: its share of the test splits under rank 0's plan (`planned` is rank 0's;
// empty on the others). On rank 0 every rank's measurements join the planned rows.
MethodResults score_tests(const PlanningPhase& planned, const EvalInputs& in, World& world, double progress_seconds) {
  std::string bytes = world.rank() == 0 ? encode_plan(planned.plan) : std::string();
  world.broadcast(bytes);
  MethodResults results = planned.results;
  score_test_splits(decode_plan(bytes), in, world, results, log_line, progress_seconds);
  return results;
}

// Phase 4a, rank 0: results_per_volume.csv, results_summary.csv, the configured heatmap's
// segmentations and table.md, which it returns.
MarkdownTable write_results(const RunLayout& run, const StoreReader& store, const HeatmapCache& cache,
                            const std::vector<std::string>& splits, const MethodResults& res, const EvalInputs& in,
                            const Method& configured) {
  std::map<std::string, std::string> img_names;
  for (const auto& split : splits)
    for (const auto& id : store.subjects(split)) img_names[id] = store.img_name(split, id);
  write_volume_csv(run.results_per_volume_csv(), res, img_names);
  write_summary_csv(run.results_summary_csv(), res);
  const int segs = write_segmentations(cache, res, configured.label(), in);
  std::cerr << kTool << ": " << segs << " segmentations (" << configured.label() << ", every threshold rule) in "
            << run.heatmap_dir("<split>") << "/<id>_seg_<rule>.nii.gz\n";
  MarkdownTable table = benchmark_table(res, in.sets, in.healthy_name);
  write_file_atomic(run.table_md(), table.render());
  return table;
}

// The ellipse figure's data: the patch at the centre of each subject's middle slice, predicted
// by the network, in slice voxels.
EllipseFigureData centre_patch_ellipses(HeatmapBuilder& builder, const StoreReader& store, const std::string& split) {
  EllipseFigureData d;
  for (const auto& id : store.subjects(split)) {
    const SubjectSlices s = store.load(split, id);
    if (d.ellipses.empty()) {
      d.k = s.depth / 2, d.h = s.height / 2, d.w = s.width / 2, d.shown_id = s.id;
      d.geometry = {s.height, s.width, s.geom.spacing[0], s.geom.spacing[1]};
      d.slice.assign(s.image_slice(int(d.k)), s.image_slice(int(d.k)) + s.slice_size());
    }
    const Patch2LocOutput o = builder.predict(s, {int64_t(s.depth / 2)}, {int64_t(s.height / 2)}, {int64_t(s.width / 2)});
    const double H = s.height, W = s.width;
    d.ellipses.push_back({o.mean[0][0].item<double>() * H / 100, o.mean[0][1].item<double>() * W / 100,
                          std::exp(0.5 * o.logvar[0][0].item<double>()) * H / 100,
                          std::exp(0.5 * o.logvar[0][1].item<double>()) * W / 100});
  }
  return d;
}

struct Figures {
  std::vector<std::string> files;               // PNG names under RunLayout::figures_dir()
  std::map<std::string, std::string> overlays;  // volume id -> overlay PNG, relative to the report
};

// Phase 4b, rank 0: the report's figures; the ellipse figure runs the network over `ellipse_split`.
Figures write_figures(const EvalConfig& eval, const RunLayout& run, const EvalInputs& in, const MethodResults& res,
                      const Method& configured, const TrainingLogs& logs, HeatmapBuilder& builder,
                      const StoreReader& store, const std::string& ellipse_split) {
  Figures f;
  const std::string dir = run.figures_dir();
  std::filesystem::create_directories(dir);
  f.files = write_overlay_figures(dir, in, configured, eval.figure_slices, eval.figure_vmax);
  f.files.push_back(write_kde_figure(dir, in, eval.stride));
  const std::string ellipses = write_ellipse_figure(dir, centre_patch_ellipses(builder, store, ellipse_split));
  if (!ellipses.empty()) f.files.push_back(ellipses);
  for (const auto& file : write_training_curves(dir, logs)) f.files.push_back(file);
  for (const auto& file : write_box_plots(dir, res, in.sets)) f.files.push_back(file);
  for (const auto& [id, file] :
       write_volume_overlays(run.volume_figures_dir(), in, configured, eval.figure_slices, eval.figure_vmax))
    f.overlays[id] = run.in_report(run.volume_figures_dir() + "/" + file);
  return f;
}

struct StageTimes {
  double maps = 0;     // rank 0's share of phase 1
  double metrics = 0;  // phases 2 and 3, and the results
  double figures = 0;
};

// Phase 4c, rank 0: report.md and index.html.
void write_report(const std::string& run_dir, const std::string& ckpt, const std::string& config_yaml,
                  const MarkdownTable& table, const MethodResults& res, const MethodSelection& selection,
                  const std::vector<std::string>& sets, const Method& configured, const Figures& figures,
                  const TrainingLogs& logs, const StageTimes& times, int ranks) {
  RunReport rr;
  rr.run_dir = run_dir, rr.checkpoint = ckpt;
  rr.table = table;
  rr.results = &res;
  rr.selection = &selection;
  rr.sets = sets;
  rr.method = configured.label();
  rr.figures = figures.files;
  rr.overlays = figures.overlays;
  rr.config_yaml = config_yaml;
  for (const auto& [name, log] : logs) {
    const double t = training_seconds(log);
    if (t >= 0) rr.stages.push_back({"train " + name, duration_text(t)});
  }
  rr.stages.push_back({"evaluate: heatmaps and baseline maps (rank 0's share, " + std::to_string(ranks) + " rank(s))",
                       duration_text(times.maps)});
  rr.stages.push_back({"evaluate: metrics, thresholds, fusion", duration_text(times.metrics)});
  rr.stages.push_back({"evaluate: figures", duration_text(times.figures)});
  write_run_report(rr);
}

// Rank 0's last words: the table on stdout, where the report is, what failed; the exit code is 1
// when a map source or any subject (`failed`, over every rank) failed.
int report_outcome(const RunLayout& run, const MarkdownTable& table, const MethodResults& res, int failed) {
  std::cout << table.render();
  std::cerr << kTool << ": report written to " << run.report_md() << " and " << run.report_html() << "\n";
  for (const auto& src : res.failed_sources)
    std::cerr << kTool << ": map source '" << src << "' FAILED: its rows are missing (see the notes in report.md)\n";
  for (const auto& n : res.source_notes) std::cerr << kTool << ": " << n << "\n";
  if (!res.failed_sources.empty()) return 1;
  if (failed > 0) {
    std::cerr << kTool << ": " << failed << " subject(s) failed and are missing from the results "
              << "(by reason: the summary after the heatmaps above)\n";
    return 1;
  }
  return 0;
}

}  // namespace

int run_evaluation(Config& cfg, World& world) {
  const bool lead = world.rank() == 0;
  const std::string ckpt = checkpoint_path(cfg);
  const RunLayout run(cfg);
  const std::string reference =
      cfg.eval.healthy_reference_split.empty() ? cfg.data.val_split : cfg.eval.healthy_reference_split;

  // The model and its patches as trained: the checkpoint's facts replace the config's values
  // (an explicit command-line value that disagrees throws), so cfg shows what is used.
  const AdoptedFacts facts = adopt_patch2loc_facts(cfg, load_model_facts(ckpt), ckpt);
  if (lead)
    for (const auto& line : facts.log) std::cerr << std::string(kTool) + ": " + line + "\n";  // one write: no other rank splits the line
  const torch::Device device = training_device(cfg.train, world.local_rank());
  HeatmapBuilder builder = heatmap_builder(cfg, facts.slices, ckpt, device);
  std::fprintf(stderr, "%s: device %s, heatmap precision %s, median filter and masking on %s\n", rank_tag(world).c_str(),
               device.str().c_str(), precisions().id(builder.precision()), device.is_cuda() ? "the GPU" : "the CPU");
  const ConfiguredHeatmap heatmap = configured_heatmap(cfg.eval, device);
  // Multi-scale: the other scales, and their map sources among the methods, before anything reads
  // the sources.
  const std::vector<ScaleRun> others = scale_runs(cfg, ckpt, lead);
  std::vector<ScaleSettings> scales = {
      {source_name(BuiltInSource::kPatch2Loc), ckpt, cfg.train.patch_fraction, cfg.eval.stride, cfg.eval.median_size}};
  for (const auto& r : others) scales.push_back(r.settings);
  check_distinct_scales(scales);
  add_scale_sources(cfg.eval, scales);
  const HeatmapCache cache(run, heatmap_stamp(ckpt, cfg.eval.stride, cfg.train.patch_fraction, cfg.train.min_brain_fraction));
  StoreReader store(cfg.data.store_dir);
  const std::vector<std::string> splits = splits_to_score(cfg, store, reference);
  const std::map<std::string, std::string> source_dirs = map_source_dirs(cfg);
  const BaselineMaps baselines(cfg, lead, device);  // adopts the autoencoder's facts into cfg.ae
  if (lead) prepare_run_folder(cfg, run, baselines, others, multiscale_map_dirs(scales, cfg.eval, run));
  world.barrier();  // stale maps and partial files are gone before any rank writes new ones

  HeatmapPhase maps =
      compute_maps(splits, store, cache, builder, &baselines, heatmap, "heatmaps", cfg.run.progress_seconds, world);
  // Multi-scale: every other scale's heatmaps into its own cache, then the scales' maps and rules
  // as map sources. Each phase ends in a collective, so every rank's maps are written before any
  // rank reads them.
  std::vector<HeatmapCache> caches = {cache};
  for (const ScaleRun& r : others) {
    HeatmapBuilder scale_builder = heatmap_builder(r.cfg, r.slices, r.settings.checkpoint, device);
    caches.emplace_back(RunLayout(r.cfg), heatmap_stamp(r.settings.checkpoint, r.settings.stride,
                                                        r.cfg.train.patch_fraction, r.cfg.train.min_brain_fraction));
    const HeatmapPhase p = compute_maps(splits, store, caches.back(), scale_builder, nullptr,
                                        configured_heatmap(r.cfg.eval, device), "heatmaps of " + r.settings.source,
                                        cfg.run.progress_seconds, world);
    maps.failed += p.failed, maps.seconds += p.seconds;
  }
  if (!others.empty()) {
    const MultiScalePhase p = write_multiscale_maps(scales, caches, cfg.eval, run, store, splits, reference,
                                                    heatmap.filter, world, cfg.run.progress_seconds);
    maps.failed += p.failed, maps.seconds += p.seconds;
  }

  // Phases 2 and 3: rank 0 plans the metrics from the healthy reference and validation splits;
  // every rank scores its share of the test splits, and rank 0 gathers the measurements.
  const auto metrics_start = Clock::now();
  const ScoringInputs inputs = scoring_inputs(cfg, store, cache, splits, reference, source_dirs, heatmap, lead);
  const EvalInputs& in = inputs.in;
  PlanningPhase planned;
  if (lead) {
    if (inputs.without_heatmap > 0)
      std::cerr << kTool << ": " << inputs.without_heatmap << " subject(s) without a heatmap left out of the metrics\n";
    planned = plan_scoring(cfg.eval, run, in);
  }
  const MethodResults results = score_tests(planned, in, world, cfg.run.progress_seconds);
  if (!lead) return maps.failed > 0 ? 1 : 0;

  // Phase 4, rank 0: result files, figures, report.
  const MarkdownTable table = write_results(run, store, cache, splits, results, in, heatmap.method);
  StageTimes times;
  times.maps = maps.seconds;
  times.metrics = seconds_since(metrics_start);
  const auto figures_start = Clock::now();
  const TrainingLogs logs = {{"Patch2Loc", run.train_log_jsonl()}, {"AE", run.ae().train_log_jsonl()}};
  const bool healthy_test = std::find(splits.begin(), splits.end(), cfg.data.healthy_test_split) != splits.end();
  const std::string ellipse_split = healthy_test ? cfg.data.healthy_test_split : reference;
  const Figures figures =
      write_figures(cfg.eval, run, in, results, heatmap.method, logs, builder, store, ellipse_split);
  times.figures = seconds_since(figures_start);
  write_report(cfg.run.output_dir, ckpt, cfg.to_yaml(), table, results, planned.selection, in.sets, heatmap.method,
               figures, logs, times, world.size());
  return report_outcome(run, table, results, maps.failed);
}

}  // namespace p2l
