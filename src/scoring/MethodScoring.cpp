#include "scoring/MethodScoring.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <stdexcept>

#include "scoring/Fusion.hpp"
#include "scoring/MethodMaps.hpp"
#include "scoring/MedianFilter.hpp"
#include "scoring/Metrics.hpp"
#include "scoring/SurfaceDistance.hpp"
#include "scoring/Thresholds.hpp"

namespace p2l {

FloatVolume patch2loc_map(const EvalSubject& s, const Method& m, int erode_mask, const MapFilter& filter) {
  return filter(combine_scores(s.raw, m.score), m.median_size, erode(s.mask, erode_mask));
}

namespace {

// Every subject's map of every non-Patch2Loc source used: the sources whose maps are missing
// or on another grid, with one note per bad subject.
std::set<std::string> check_sources(const MethodGrid& grid, const EvalInputs& in, MethodResults& res) {
  std::set<std::string> used, bad;
  for (const auto& m : grid.methods)
    for (const auto& src : {m.source, m.partner})
      if (!src.empty() && src != kPatch2Loc) used.insert(src);
  std::vector<const EvalSubject*> all;
  for (const auto* group : {&in.healthy_reference, &in.healthy_test})
    for (const auto& s : *group) all.push_back(&s);
  for (const auto* sets : {&in.test, &in.val})
    for (const auto& [set, subjects] : *sets)
      for (const auto& s : subjects) all.push_back(&s);
  for (const auto& src : used) {
    auto dir = in.source_dirs.find(src);
    if (dir == in.source_dirs.end()) {
      res.notes.push_back("map source '" + src + "': unknown (eval.sources, eval.external_maps): its rows are skipped");
      bad.insert(src);
      continue;
    }
    for (const auto* s : all) {
      try {
        read_source_map(dir->second, s->id, s->mask.geom, s->source_geom);
      } catch (const std::exception& e) {
        res.notes.push_back("map source '" + src + "': " + e.what() + ": its rows are skipped");
        bad.insert(src);
      }
    }
  }
  res.failed_sources.assign(bad.begin(), bad.end());
  return bad;
}

VolumeRow measure(const EvalSubject& s, const FloatVolume& map, const RankingMetrics& rank,
                  double threshold) {
  VolumeRow r;
  r.id = s.id, r.label = s.label, r.threshold = threshold;
  r.auroc = rank.auroc, r.auprc = rank.auprc;
  const size_t n = map.data.size();
  const uint8_t* seg = s.seg.data.empty() ? nullptr : s.seg.data.data();
  LabelVolume pred(map.geom, 0), truth(map.geom, 0);
  for (size_t i = 0; i < n; ++i) {
    pred.data[i] = s.mask.data[i] && map.data[i] > threshold;
    truth.data[i] = seg ? seg[i] : 0;
  }
  const Overlap o = overlap_of(pred.data.data(), seg, s.mask.data.data(), n);
  r.dice = o.dice(), r.precision = o.precision(), r.recall = o.recall();
  r.fpr = o.fpr(), r.specificity = o.specificity();
  const Hausdorff h = hausdorff(pred, truth);
  r.hd95 = h.hd95, r.hd_max = h.max;
  r.gt_ml = lesion_volume_ml(truth.data.data(), n, map.geom);
  r.pred_ml = lesion_volume_ml(pred.data.data(), n, map.geom);
  return r;
}

std::string elapsed_text(std::chrono::steady_clock::time_point started) {
  char took[32];
  std::snprintf(took, sizeof took, " (%.1f s)",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return took;
}

}  // namespace

void measure_set(const MethodName& method, const MethodMaps& build, const std::string& set,
                 const std::vector<EvalSubject>& subjects, bool is_healthy, const std::vector<ThresholdRule>& rules,
                 const ThresholdOf& threshold_of, MethodResults& res) {
  std::map<std::string, std::vector<VolumeRow>> per_rule;
  std::map<std::string, std::string> why_not;
  std::vector<float> slice_score;
  std::vector<uint8_t> slice_label;
  for (const auto& s : subjects) {
    if (!is_healthy && s.seg.data.empty())
      throw std::runtime_error(s.id + ": set '" + set + "' subject has no segmentation; metrics need one");
    const FloatVolume map = build(s);
    const ScoredVolume sv = in_brain(s, map);
    const RankingMetrics rank = ranking_metrics(sv.score, sv.label);
    slice_scores(map, s.mask, s.seg.data.empty() ? nullptr : &s.seg, slice_score, slice_label);
    for (const auto& rule : rules) {
      std::string reason;
      const std::optional<double> t = threshold_of(rule, sv, reason);
      if (!t) {
        why_not[rule.label()] = reason;
        continue;
      }
      VolumeRow r = measure(s, map, rank, *t);
      r.method = method.label, r.rule = rule.label(), r.set = set;
      r.method_id = method.id, r.rule_id = rule.id();
      per_rule[r.rule].push_back(r);
      res.volumes.push_back(r);
    }
  }
  const RankingMetrics slices = ranking_metrics(slice_score, slice_label);
  for (const auto& rule : rules) {
    auto it = per_rule.find(rule.label());
    if (it == per_rule.end()) {
      res.notes.push_back(method.label + " / " + rule.label() + " / " + set + ": not computed (" + why_not[rule.label()] + ")");
      continue;
    }
    SummaryRow sr;
    sr.method = method.label, sr.rule = rule.label(), sr.set = set;
    sr.method_id = method.id, sr.rule_id = rule.id();
    sr.slice_auroc = slices.auroc, sr.slice_auprc = slices.auprc;
    auto col = [&](double VolumeRow::*f) {
      std::vector<double> v;
      for (const auto& r : it->second) v.push_back(r.*f);
      return mean_std(v);
    };
    sr.metrics = {{"auroc", col(&VolumeRow::auroc)},       {"auprc", col(&VolumeRow::auprc)},
                  {"dice", col(&VolumeRow::dice)},         {"precision", col(&VolumeRow::precision)},
                  {"recall", col(&VolumeRow::recall)},     {"fpr", col(&VolumeRow::fpr)},
                  {"specificity", col(&VolumeRow::specificity)}, {"hd95", col(&VolumeRow::hd95)},
                  {"hd_max", col(&VolumeRow::hd_max)},     {"gt_ml", col(&VolumeRow::gt_ml)},
                  {"pred_ml", col(&VolumeRow::pred_ml)},   {"threshold", col(&VolumeRow::threshold)}};
    res.summary.push_back(sr);
  }
}

MethodResults score_methods(const MethodGrid& grid, const EvalInputs& in,
                            const std::function<void(const std::string&)>& log) {
  MethodResults res;
  const std::set<std::string> bad = check_sources(grid, in, res);
  SourceMaps sources(in, false);
  for (const auto& m : grid.methods) {
    if (bad.count(m.source) || bad.count(m.partner)) continue;
    const auto started = std::chrono::steady_clock::now();
    const MethodMaps build(m, in, sources);
    const MethodName name{m.label(), m.id()};
    // Thresholds from the healthy reference volumes (pooled in-brain values).
    std::vector<float> healthy;
    for (const auto& s : in.healthy_reference) {
      const auto v = in_brain(s, build(s));
      healthy.insert(healthy.end(), v.score.begin(), v.score.end());
    }
    std::map<std::string, double> validation;
    for (const auto& set : in.sets) {
      auto it = in.val.find(set);
      if (it == in.val.end() || it->second.empty()) continue;
      const auto vols = diseased_in_brain(it->second, build);
      if (!vols.empty()) validation[set] = best_dice_threshold(vols).threshold;
    }
    for (const auto& rule : grid.rules) res.rows.push_back({name.label, rule.label()});
    auto threshold_for = [&](const std::string& set, bool is_healthy) {
      return [&, set, is_healthy](const ThresholdRule& rule, const ScoredVolume& sv,
                                  std::string& why) -> std::optional<double> {
        if (rule.kind == ThresholdRuleKind::kBestDicePerVolume) return best_dice_threshold({sv}).threshold;
        if (rule.kind == ThresholdRuleKind::kValidationDice) {
          if (!is_healthy && validation.count(set)) return validation.at(set);
          why = is_healthy ? "a healthy set has no validation split" : "no diseased validation split " + set + "_val";
          return std::nullopt;
        }
        if (healthy.empty()) {
          why = "no healthy reference volumes";
          return std::nullopt;
        }
        return rule.kind == ThresholdRuleKind::kFpr ? fpr_threshold(healthy, rule.value) : quantile_threshold(healthy, rule.value);
      };
    };
    for (const auto& set : in.sets) {
      auto it = in.test.find(set);
      if (it != in.test.end()) measure_set(name, build, set, it->second, false, grid.rules, threshold_for(set, false), res);
    }
    if (!in.healthy_test.empty())
      measure_set(name, build, in.healthy_name, in.healthy_test, true, grid.rules, threshold_for(in.healthy_name, true), res);
    if (log) log("methods: " + name.label + " done" + elapsed_text(started));
  }
  return res;
}

}  // namespace p2l
