#include "eval/EvaluationFigures.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "scoring/Metrics.hpp"
#include "report/TrainingLogReader.hpp"

namespace p2l {
namespace {

std::vector<size_t> pick_slices(const EvalSubject& s, int n) {
  const size_t Z = s.mask.geom.size[2], plane = s.mask.geom.size[0] * s.mask.geom.size[1];
  std::vector<std::pair<size_t, size_t>> area;  // (count, z)
  std::vector<size_t> brain;
  for (size_t z = 0; z < Z; ++z) {
    size_t lesion = 0, b = 0;
    for (size_t i = z * plane; i < (z + 1) * plane; ++i) {
      b += s.mask.data[i] != 0;
      lesion += !s.seg.data.empty() && s.seg.data[i];
    }
    if (lesion) area.push_back({lesion, z});
    if (b) brain.push_back(z);
  }
  std::vector<size_t> out;
  if (!area.empty()) {
    std::sort(area.rbegin(), area.rend());
    for (int i = 0; i < n && i < int(area.size()); ++i) out.push_back(area[i].second);
  } else if (!brain.empty()) {
    for (int i = 0; i < n; ++i) out.push_back(brain[size_t((0.3 + 0.4 * (i + 0.5) / n) * brain.size())]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string fixed(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// A label as a file-name part, never empty.
std::string file_part(const std::string& label) {
  const std::string p = label_file_part(label);
  return p.empty() ? "run" : p;
}

std::string png_name(const FigureFiles& f) { return std::filesystem::path(f.png).filename().string(); }

void overlay(const std::string& base, const EvalSubject& s, const Method& m, int n, double vmax,
             const std::string& set) {
  const FloatVolume map = patch2loc_map(s, m, 0);
  const Geometry& geom = map.geom;
  const SliceGeometry g{int(geom.size[0]), int(geom.size[1]), geom.spacing[0], geom.spacing[1]};
  std::vector<OverlayRow> rows;
  for (size_t z : pick_slices(s, n)) {
    OverlayRow r;
    r.label = "slice k = " + std::to_string(z);
    r.image = s.image.data.empty() ? std::vector<float>(size_t(g.H) * g.W, 0.0f) : slice_hw(s.image, z);
    r.heat = slice_hw(map, z);
    r.mask = slice_hw(s.mask, z);
    if (!s.seg.data.empty()) r.seg = slice_hw(s.seg, z);
    rows.push_back(std::move(r));
  }
  const std::string what = s.seg.data.empty() ? "slices spread over the brain" : "slices with the largest lesion area";
  plot_overlays(base, g, rows, vmax, set + ": " + s.id + " (" + what + "), heatmap " + m.label());
}

}  // namespace

std::vector<std::string> write_overlay_figures(const std::string& dir, const EvalInputs& in,
                                               const Method& method, int slices, double vmax) {
  std::vector<std::string> files;
  if (slices <= 0) return files;
  for (const auto& set : in.sets) {
    auto it = in.test.find(set);
    if (it == in.test.end() || it->second.empty()) continue;
    files.push_back("overlay_" + set + ".png");
    overlay(dir + "/overlay_" + set, *it->second.get(0), method, slices, vmax, set);
  }
  if (!in.healthy_test.empty()) {
    files.push_back("overlay_" + in.healthy_name + ".png");
    overlay(dir + "/overlay_" + in.healthy_name, *in.healthy_test.get(0), method, slices, vmax, in.healthy_name);
  }
  return files;
}

std::map<std::string, std::string> write_volume_overlays(const std::string& dir, const EvalInputs& in,
                                                         const Method& method, int slices, double vmax) {
  std::map<std::string, std::string> files;
  if (slices <= 0) return files;
  std::filesystem::create_directories(dir);
  auto one = [&](const EvalSubject& s, const std::string& set) {
    overlay(dir + "/" + s.id, s, method, slices, vmax, set);
    files[s.id] = s.id + ".png";
  };
  for (const auto& set : in.sets) {
    auto it = in.test.find(set);
    if (it != in.test.end())
      for (size_t i = 0; i < it->second.size(); ++i) one(*it->second.get(i), set);
  }
  for (size_t i = 0; i < in.healthy_test.size(); ++i) one(*in.healthy_test.get(i), in.healthy_name);
  return files;
}

std::string write_kde_figure(const std::string& dir, const EvalInputs& in, int stride) {
  ScatterGroup normal{"normal", {}, {}, 0, 0}, abnormal{"lesion", {}, {}, 0, 0};
  for (const auto& set : in.sets) {
    auto it = in.test.find(set);
    if (it == in.test.end()) continue;
    for (size_t v = 0; v < it->second.size(); ++v) {
      const auto loaded = it->second.get(v);
      const EvalSubject& s = *loaded;
      const auto& g = s.mask.geom.size;
      for (size_t k = 0; k < g[2]; ++k)
        for (size_t j = 0; j < g[1]; j += size_t(stride))
          for (size_t i = 0; i < g[0]; i += size_t(stride)) {
            const size_t idx = s.mask.index(i, j, k);
            if (!s.mask.data[idx]) continue;
            ScatterGroup& grp = !s.seg.data.empty() && s.seg.data[idx] ? abnormal : normal;
            grp.x.push_back(s.raw.error.data[idx]);
            grp.y.push_back(s.raw.variance.data[idx]);
          }
    }
  }
  std::vector<double> all_x(normal.x), all_y(normal.y);
  all_x.insert(all_x.end(), abnormal.x.begin(), abnormal.x.end());
  all_y.insert(all_y.end(), abnormal.y.begin(), abnormal.y.end());
  const double rho_all = spearman(all_x, all_y);
  for (ScatterGroup* g : {&normal, &abnormal}) {
    g->spearman = spearman(g->x, g->y);
    g->count = g->x.size();
    // The density needs only a few thousand points: keep every k-th.
    const size_t keep = 3000, step = std::max<size_t>(1, g->x.size() / keep);
    std::vector<double> x, y;
    for (size_t i = 0; i < g->x.size(); i += step) x.push_back(g->x[i]), y.push_back(g->y[i]);
    g->x.swap(x), g->y.swap(y);
  }
  const FigureFiles f = plot_kde(dir + "/kde_error_variance", {normal, abnormal},
                                 "log error  log(‖μ − t‖² + 10⁻¹⁰)", "mean predicted log-variance  mean(log σ²)",
                                 "Error vs. variance at brain grid points (all points: ρ = " +
                                     (std::isfinite(rho_all) ? fixed(rho_all, 3) : std::string("n/a")) + ")");
  return png_name(f);
}

std::string write_ellipse_figure(const std::string& dir, const EllipseFigureData& d) {
  if (d.ellipses.empty()) return "";
  const FigureFiles f = plot_location_ellipses(
      dir + "/location_ellipses", d.geometry, d.slice, double(d.h), double(d.w), d.ellipses,
      "Predicted location of the patch at (i, j) = (" + std::to_string(d.h) + ", " + std::to_string(d.w) +
          "), slice k = " + std::to_string(d.k) + ", " + std::to_string(d.ellipses.size()) + " subjects (" + d.shown_id +
          " shown)");
  return png_name(f);
}

std::vector<std::string> write_training_curves(const std::string& dir,
                                               const std::vector<std::pair<std::string, std::string>>& logs) {
  std::vector<std::string> files;
  std::set<std::string> used;
  for (const auto& [label, path] : logs) {
    if (!std::filesystem::exists(path)) continue;
    size_t skipped = 0;
    const TrainingSeries s = read_training_log(path, &skipped);
    if (skipped) std::cerr << path << ": " << skipped << " unreadable line(s) skipped in the training curves\n";
    if (s.step.empty() && s.val_step.empty()) continue;
    std::string name = "training_curves_" + file_part(label);
    for (int k = 2; used.count(name); ++k) name = "training_curves_" + file_part(label) + "_" + std::to_string(k);
    used.insert(name);
    // The log's folder and name, e.g. "ae/train_log.jsonl".
    const std::filesystem::path p(path);
    const std::string shown = (p.parent_path().filename() / p.filename()).string();
    files.push_back(png_name(plot_training_curves(dir + "/" + name, s, label + " training (" + shown + ")")));
  }
  return files;
}

BoxPlotData box_plot_data(const MethodResults& res, const std::vector<std::string>& sets, BoxMetric metric,
                          const std::string& rule) {
  const double VolumeRow::*value = metric == BoxMetric::kDice ? &VolumeRow::dice : &VolumeRow::auprc;
  // The rule each method contributes rows of, in table order.
  std::vector<std::string> order;
  std::map<std::string, std::string> rule_of;
  for (const auto& [method, r] : res.rows) {
    if (rule_of.count(method) || (!rule.empty() && r != rule)) continue;
    rule_of[method] = r;
    order.push_back(method);
  }
  std::map<std::string, size_t> set_index, method_index;
  for (size_t i = 0; i < sets.size(); ++i) set_index.emplace(sets[i], i);
  for (size_t i = 0; i < order.size(); ++i) method_index.emplace(order[i], i);
  std::vector<std::vector<std::vector<double>>> values(sets.size(), std::vector<std::vector<double>>(order.size()));
  for (const auto& v : res.volumes) {
    auto r = rule_of.find(v.method);
    auto si = set_index.find(v.set);
    if (r == rule_of.end() || r->second != v.rule || si == set_index.end()) continue;
    values[si->second][method_index.at(v.method)].push_back(v.*value);
  }
  BoxPlotData d;
  d.groups = sets;
  d.values.assign(sets.size(), {});
  for (size_t m = 0; m < order.size(); ++m) {
    bool any = false;
    for (size_t g = 0; g < sets.size(); ++g)
      for (double x : values[g][m]) any = any || std::isfinite(x);
    if (!any) continue;
    d.methods.push_back(order[m]);
    for (size_t g = 0; g < sets.size(); ++g) d.values[g].push_back(std::move(values[g][m]));
  }
  return d;
}

std::vector<std::string> write_box_plots(const std::string& dir, const MethodResults& res,
                                         const std::vector<std::string>& sets) {
  std::vector<std::string> files;
  if (res.rows.empty() || sets.empty()) return files;
  const std::string rule = res.rows.front().second;
  const BoxPlotData dice = box_plot_data(res, sets, BoxMetric::kDice, rule),
                    auprc = box_plot_data(res, sets, BoxMetric::kAuprc, "");
  if (!dice.methods.empty())
    files.push_back(png_name(plot_box_plots(dir + "/box_dice", dice, "Dice",
                                            "Dice per test volume (threshold: " + rule + ")")));
  if (!auprc.methods.empty())
    files.push_back(png_name(plot_box_plots(dir + "/box_auprc", auprc, "AUPRC", "AUPRC per test volume")));
  return files;
}

}  // namespace p2l
