#include "eval/EvaluationJob.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "config/Config.hpp"
#include "config/RunLayout.hpp"
#include "eval/BaselineMaps.hpp"
#include "eval/EvaluationFigures.hpp"
#include "eval/HeatmapBuilder.hpp"
#include "eval/HeatmapCache.hpp"
#include "eval/InputGridOutputs.hpp"
#include "scoring/MedianFilter.hpp"
#include "eval/RunReport.hpp"
#include "scoring/MethodSelection.hpp"
#include "eval/SubjectFailures.hpp"
#include "scoring/ResultTables.hpp"
#include "scoring/TestScoring.hpp"
#include "scoring/MethodScoring.hpp"
#include "eval/TensorMedianFilter.hpp"
#include "io/AtomicFile.hpp"
#include "io/Nifti.hpp"
#include "store/StoreReader.hpp"
#include "dist/World.hpp"
#include "train/AdoptedFacts.hpp"
#include "train/Checkpoint.hpp"

namespace p2l {
namespace {

std::string checkpoint_path(const Config& cfg) {
  const std::string& c = cfg.eval.checkpoint;
  const std::string path = (c == "best" || c == "last") ? RunLayout(cfg).checkpoint(c) : c;
  if (!std::filesystem::exists(path))
    throw std::runtime_error(path + ": checkpoint not found (eval.checkpoint=" + c + "; train first or give a path)");
  return path;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct Work {
  std::string split, id;
};

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

// cuda:<local rank mod GPUs> when CUDA is available (ranks of a node share its GPUs), else cpu.
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

torch::Device evaluation_device() {
  if (!torch::cuda::is_available()) return torch::kCPU;
  // The node's ranks as MPI places them (MPI_COMM_TYPE_SHARED), not the launcher's variables.
  return torch::Device(torch::kCUDA, world().local_rank() % int(torch::cuda::device_count()));
}

}  // namespace

int run_evaluation(Config& cfg, int rank, int size) {
  const std::string tool = "p2l-evaluate";
  const std::string ckpt = checkpoint_path(cfg);
  const std::string out = cfg.run.output_dir;
  const RunLayout run(cfg);
  const std::string reference =
      cfg.eval.healthy_reference_split.empty() ? cfg.data.val_split : cfg.eval.healthy_reference_split;

  // The model and its patches as trained: the checkpoint's facts replace the config's values
  // (an explicit command-line value that disagrees throws), so cfg shows what is used.
  const AdoptedFacts facts = adopt_patch2loc_facts(cfg, load_model_facts(ckpt), ckpt);
  if (rank == 0)
    for (const auto& line : facts.log) std::cerr << tool + ": " + line + "\n";  // one write: no other rank splits the line
  Patch2LocNet net(cfg.model);
  load_model_weights(ckpt, *net);
  const torch::Device device = evaluation_device();
  const MapFilter map_filter = device.is_cuda() ? map_filter_on(device) : MapFilter(filter_and_mask);
  HeatmapOptions opt;
  opt.stride = cfg.eval.stride;
  opt.patch_fraction = cfg.train.patch_fraction;
  opt.min_brain_fraction = cfg.train.min_brain_fraction;
  opt.trained_slices = facts.slices;
  opt.batch_size = cfg.eval.batch_size;
  opt.precision = cfg.eval.precision;
  opt.fold_batchnorm = cfg.eval.fold_batchnorm;
  HeatmapBuilder builder(net, opt, device);
  std::fprintf(stderr, "%s rank %d/%d: device %s, heatmap precision %s, median filter and masking on %s\n", tool.c_str(),
               rank, size, device.str().c_str(), builder.precision().c_str(), device.is_cuda() ? "the GPU" : "the CPU");
  const HeatmapCache cache(run,
                           heatmap_stamp(ckpt, opt.stride, opt.patch_fraction, opt.min_brain_fraction));
  StoreReader store(cfg.data.store_dir);
  const std::vector<std::string> splits = splits_to_score(cfg, store, reference);
  const std::map<std::string, std::string> source_dirs = map_source_dirs(cfg);
  const BaselineMaps baselines(cfg, rank == 0);  // adopts the autoencoder's facts into cfg.ae
  if (rank == 0) {
    for (const auto& line : baselines.settings_log()) std::cerr << tool + ": " + line + "\n";
    cfg.write(run.evaluate_config());
    // A killed evaluation's partial files are never read (only committed names are) but would
    // stay forever: gone before any rank writes.
    const int stale = remove_stale_temporaries(run.heatmaps_dir(), true) + remove_stale_temporaries(run.maps_dir(), true);
    if (stale > 0) std::fprintf(stderr, "%s: removed %d partial file(s) of an interrupted run\n", tool.c_str(), stale);
  }
  world().barrier();  // stale baseline maps and partial files are gone before any rank writes new ones

  // Phase 1: heatmaps, subjects dealt round-robin over the ranks.
  std::vector<Work> all, mine;
  for (const auto& sp : splits)
    for (const auto& id : store.subjects(sp)) all.push_back({sp, id});
  for (size_t i = 0; i < all.size(); ++i)
    if (int(i % size_t(size)) == rank) mine.push_back(all[i]);
  const Method configured{score_components().parse(cfg.eval.score, "eval.score"), cfg.eval.median_size,
                          FusionMode::kNone, 0.5, kPatch2Loc, ""};
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  SubjectFailures failures;
  size_t computed = 0;
  for (size_t i = 0; i < mine.size(); ++i) {
    const Work& w = mine[i];
    try {
      const bool heatmap = !cache.has_raw(w.split, w.id) || !std::filesystem::exists(cache.heatmap_path(w.split, w.id));
      const bool baseline = baselines.any() && !baselines.has(w.id);
      if (heatmap || baseline) {
        SubjectSlices s = store.load(w.split, w.id);
        s.split = w.split;
        if (baseline) baselines.write(s);
        if (heatmap) {
          ScoreMaps raw = builder.score_maps(s);
          cache.write_raw(w.split, w.id, raw);
          EvalSubject e;
          e.mask = slices_to_volume(s.mask, s.geom);
          e.raw = std::move(raw);
          write_input_grid_heatmaps(cache, w.split, w.id, patch2loc_map(e, configured, cfg.eval.erode_mask, map_filter), e.raw,
                                    s.source_geom);
          ++computed;
        }
      }
    } catch (const std::exception& e) {
      failures.add(w.split, w.id, e.what());
    }
    const auto now = std::chrono::steady_clock::now();
    const double el = std::chrono::duration<double>(now - start).count();
    if (i + 1 == mine.size() || std::chrono::duration<double>(now - last).count() >= cfg.run.progress_seconds) {
      last = now;
      const double eta = el / double(i + 1) * double(mine.size() - i - 1);
      std::fprintf(stderr, "%s rank %d/%d: heatmaps %zu/%zu volumes (%zu computed, %zu cached), %.0f patches/s, ETA %s\n",
                   tool.c_str(), rank, size, i + 1, mine.size(), computed, i + 1 - computed - failures.count(),
                   el > 0 ? double(builder.patches_scored()) / el : 0.0, duration_text(eta).c_str());
    }
  }
  const int failed = failures.count();
  int failed_all = failed;
  const double maps_seconds = seconds_since(start);
  failed_all = world().all_reduce_sum(failed);
  const std::string failure_summary = failures.gather_summary(world(), tool);
  if (rank == 0) std::cerr << failure_summary;

  // Phase 2: rank 0 plans the metrics from the healthy reference and validation splits; every
  // rank scores its share of the test splits; rank 0 gathers the measurements and writes the
  // tables, figures and reports. Every split is read one subject at a time (scoring/EvalInputs.hpp).
  auto phase = std::chrono::steady_clock::now();
  EvalInputs in;
  in.sets = cfg.data.test_sets;
  in.healthy_name = cfg.data.healthy_test_split;
  in.source_dirs = source_dirs;
  in.erode_mask = cfg.eval.erode_mask;
  in.map_filter = map_filter;
  int without_heatmap = 0;
  // `with_image`: the scan too, for the figures of test subjects.
  auto lazy = [&](const std::string& split, bool with_image) {
    std::vector<std::string> ids;
    for (const auto& id : store.subjects(split)) {
      if (cache.has_raw(split, id)) ids.push_back(id);
      else ++without_heatmap;  // its heatmap failed above: the others go on
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
  const auto log_line = [&](const std::string& l) { std::cerr << tool << ": " << l << "\n"; };
  MethodResults res;
  MethodSelection selection;
  std::string plan_bytes;
  if (rank == 0) {
    in.healthy_reference = lazy(reference, false);
    for (const auto& set : in.sets)
      if (have.count(set + "_val")) in.val[set] = lazy(set + "_val", false);
    if (without_heatmap > 0)
      std::cerr << tool << ": " << without_heatmap << " subject(s) without a heatmap left out of the metrics\n";
    const MethodGrid grid =
        cfg.eval.methods.empty() ? method_grid_from_config(cfg.eval) : read_method_grid(cfg.eval.methods, cfg.eval);
    TestPlan plan = plan_methods(grid, in, res, log_line);
    const auto& scopes = cfg.eval.select;
    const bool per_set = std::count(scopes.begin(), scopes.end(), "per_set") > 0;
    const bool pooled = std::count(scopes.begin(), scopes.end(), "pooled") > 0;
    if (per_set || pooled) {
      const std::set<std::string> skip(res.failed_sources.begin(), res.failed_sources.end());
      selection = select_methods(selection_candidates(cfg.eval), in, per_set, pooled, skip, log_line);
      plan_selected(selection, in, plan, res);
      write_selection_csv(run.selection_csv(), selection, in.sets);
      for (const auto& line : selection_lines(selection, in.sets)) log_line(line);
    }
    plan_bytes = encode_plan(plan);
  }
  world().broadcast(plan_bytes);
  score_test_splits(decode_plan(plan_bytes), in, world(), res, log_line, cfg.run.progress_seconds);
  if (rank != 0) return failed_all > 0 ? 1 : 0;
  std::map<std::string, std::string> img_names;
  for (const auto& split : splits)
    for (const auto& id : store.subjects(split)) img_names[id] = store.img_name(split, id);
  write_volume_csv(run.results_per_volume_csv(), res, img_names);
  write_summary_csv(run.results_summary_csv(), res);
  const int segs = write_segmentations(cache, res, configured.label(), in);
  std::cerr << tool << ": " << segs << " segmentations (" << configured.label() << ", every threshold rule) in "
            << run.heatmap_dir("<split>") << "/<id>_seg_<rule>.nii.gz\n";
  const MarkdownTable table = benchmark_table(res, in.sets, in.healthy_name);
  write_file_atomic(run.table_md(), table.render());
  const double metrics_seconds = seconds_since(phase);
  phase = std::chrono::steady_clock::now();

  const std::string figs = run.figures_dir();
  std::filesystem::create_directories(figs);
  std::vector<std::string> figures = write_overlay_figures(figs, in, configured, cfg.eval.figure_slices, cfg.eval.figure_vmax);
  figures.push_back(write_kde_figure(figs, in, cfg.eval.stride));
  const std::string ellipse_split = have.count(cfg.data.healthy_test_split) ? cfg.data.healthy_test_split : reference;
  const std::string ell = write_ellipse_figure(figs, centre_patch_ellipses(builder, store, ellipse_split));
  if (!ell.empty()) figures.push_back(ell);
  const std::vector<std::pair<std::string, std::string>> training_logs = {
      {"Patch2Loc", run.train_log_jsonl()}, {"AE", run.ae().train_log_jsonl()}};
  for (const auto& f : write_training_curves(figs, training_logs)) figures.push_back(f);
  for (const auto& f : write_box_plots(figs, res, in.sets)) figures.push_back(f);
  std::map<std::string, std::string> overlays;
  for (const auto& [id, file] : write_volume_overlays(run.volume_figures_dir(), in, configured, cfg.eval.figure_slices,
                                                      cfg.eval.figure_vmax))
    overlays[id] = run.in_report(run.volume_figures_dir() + "/" + file);

  const double figures_seconds = seconds_since(phase);

  RunReport rr;
  rr.run_dir = out, rr.checkpoint = ckpt;
  rr.table = table;
  rr.results = &res;
  rr.selection = &selection;
  rr.sets = in.sets;
  rr.method = configured.label();
  rr.figures = figures;
  rr.overlays = overlays;
  rr.config_yaml = cfg.to_yaml();
  for (const auto& [name, log] : training_logs) {
    const double t = training_seconds(log);
    if (t >= 0) rr.stages.push_back({"train " + name, duration_text(t)});
  }
  rr.stages.push_back({"evaluate: heatmaps and baseline maps (rank 0's share, " + std::to_string(size) + " rank(s))",
                       duration_text(maps_seconds)});
  rr.stages.push_back({"evaluate: metrics, thresholds, fusion", duration_text(metrics_seconds)});
  rr.stages.push_back({"evaluate: figures", duration_text(figures_seconds)});
  write_run_report(rr);
  std::cout << table.render();
  std::cerr << tool << ": report written to " << run.report_md() << " and " << run.report_html() << "\n";
  for (const auto& src : res.failed_sources)
    std::cerr << tool << ": map source '" << src << "' FAILED: its rows are missing (see the notes in report.md)\n";
  for (const auto& n : res.notes)
    if (n.rfind("map source", 0) == 0) std::cerr << tool << ": " << n << "\n";
  if (!res.failed_sources.empty()) return 1;
  if (failed_all > 0) {
    std::cerr << tool << ": " << failed_all << " subject(s) failed and are missing from the results "
              << "(by reason: the summary after the heatmaps above)\n";
    return 1;
  }
  return 0;
}

}  // namespace p2l
