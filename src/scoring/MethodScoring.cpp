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
  // Every subject's id and grids (a test subject is loaded once for this, then released).
  struct Grids {
    std::string id;
    Geometry grid, input;
  };
  std::vector<Grids> all;
  if (!used.empty()) {
    auto add = [&](const EvalSubject& s) { all.push_back({s.id, s.mask.geom, s.source_geom}); };
    auto add_list = [&](const SubjectList& l) {
      for (size_t i = 0; i < l.size(); ++i) add(*l.get(i));
    };
    for (const auto& s : in.healthy_reference) add(s);
    add_list(in.healthy_test);
    for (const auto& [set, subjects] : in.test) add_list(subjects);
    for (const auto& [set, subjects] : in.val)
      for (const auto& s : subjects) add(s);
  }
  for (const auto& src : used) {
    auto dir = in.source_dirs.find(src);
    if (dir == in.source_dirs.end()) {
      res.notes.push_back("map source '" + src + "': unknown (eval.sources, eval.external_maps): its rows are skipped");
      bad.insert(src);
      continue;
    }
    for (const auto& s : all) {
      try {
        read_source_map(dir->second, s.id, s.grid, s.input);
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

SetMeasurement::SetMeasurement(MethodName method, std::string set, bool is_healthy,
                               const std::vector<ThresholdRule>& rules, ThresholdOf threshold_of)
    : method_(std::move(method)), set_(std::move(set)), is_healthy_(is_healthy), rules_(rules),
      threshold_of_(std::move(threshold_of)) {}

void SetMeasurement::add(const EvalSubject& s, const FloatVolume& map) {
  if (!is_healthy_ && s.seg.data.empty())
    throw std::runtime_error(s.id + ": set '" + set_ + "' subject has no segmentation; metrics need one");
  const ScoredVolume sv = in_brain(s, map);
  const RankingMetrics rank = ranking_metrics(sv.score, sv.label);
  slice_scores(map, s.mask, s.seg.data.empty() ? nullptr : &s.seg, slice_score_, slice_label_);
  for (const auto& rule : rules_) {
    std::string reason;
    const std::optional<double> t = threshold_of_(rule, sv, reason);
    if (!t) {
      why_not_[rule.label()] = reason;
      continue;
    }
    VolumeRow r = measure(s, map, rank, *t);
    r.method = method_.label, r.rule = rule.label(), r.set = set_;
    r.method_id = method_.id, r.rule_id = rule.id();
    per_rule_[r.rule].push_back(r);
    volumes_.push_back(r);
  }
}

void SetMeasurement::finish(MethodResults& res) {
  res.volumes.insert(res.volumes.end(), volumes_.begin(), volumes_.end());
  const RankingMetrics slices = ranking_metrics(slice_score_, slice_label_);
  for (const auto& rule : rules_) {
    auto it = per_rule_.find(rule.label());
    if (it == per_rule_.end()) {
      res.notes.push_back(method_.label + " / " + rule.label() + " / " + set_ + ": not computed (" +
                          why_not_[rule.label()] + ")");
      continue;
    }
    SummaryRow sr;
    sr.method = method_.label, sr.rule = rule.label(), sr.set = set_;
    sr.method_id = method_.id, sr.rule_id = rule.id();
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

void measure_set(const MethodName& method, const MethodMaps& build, const std::string& set,
                 const SubjectList& subjects, bool is_healthy, const std::vector<ThresholdRule>& rules,
                 const ThresholdOf& threshold_of, MethodResults& res) {
  SetMeasurement m(method, set, is_healthy, rules, threshold_of);
  for (size_t i = 0; i < subjects.size(); ++i) {
    const auto s = subjects.get(i);
    SourceMaps sources(build.inputs(), false);  // lives while this subject is loaded
    m.add(*s, build(*s, sources));
  }
  m.finish(res);
}

MethodResults score_methods(const MethodGrid& grid, const EvalInputs& in,
                            const std::function<void(const std::string&)>& log) {
  MethodResults res;
  const std::set<std::string> bad = check_sources(grid, in, res);
  SourceMaps sources(in, false);
  // Per method, what its thresholds need: the healthy reference's pooled in-brain values and
  // each set's validation threshold (these splits stay in memory; the test splits do not).
  struct Scored {
    MethodName name;
    std::unique_ptr<MethodMaps> build;
    std::vector<float> healthy;
    std::map<std::string, double> validation;
  };
  std::vector<Scored> methods;
  for (const auto& m : grid.methods) {
    if (bad.count(m.source) || bad.count(m.partner)) continue;
    const auto started = std::chrono::steady_clock::now();
    Scored sc{{m.label(), m.id()}, std::make_unique<MethodMaps>(m, in, sources), {}, {}};
    for (const auto& s : in.healthy_reference) {
      const auto v = in_brain(s, (*sc.build)(s));
      sc.healthy.insert(sc.healthy.end(), v.score.begin(), v.score.end());
    }
    for (const auto& set : in.sets) {
      auto it = in.val.find(set);
      if (it == in.val.end() || it->second.empty()) continue;
      const auto vols = diseased_in_brain(it->second, *sc.build);
      if (!vols.empty()) sc.validation[set] = best_dice_threshold(vols).threshold;
    }
    for (const auto& rule : grid.rules) res.rows.push_back({sc.name.label, rule.label()});
    if (log) log("methods: thresholds of " + sc.name.label + elapsed_text(started));
    methods.push_back(std::move(sc));
  }
  auto threshold_for = [&](const Scored& sc, const std::string& set, bool is_healthy) -> ThresholdOf {
    return [&sc, set, is_healthy](const ThresholdRule& rule, const ScoredVolume& sv,
                                  std::string& why) -> std::optional<double> {
      if (rule.kind == ThresholdRuleKind::kBestDicePerVolume) return best_dice_threshold({sv}).threshold;
      if (rule.kind == ThresholdRuleKind::kValidationDice) {
        if (!is_healthy && sc.validation.count(set)) return sc.validation.at(set);
        why = is_healthy ? "a healthy set has no validation split" : "no diseased validation split " + set + "_val";
        return std::nullopt;
      }
      if (sc.healthy.empty()) {
        why = "no healthy reference volumes";
        return std::nullopt;
      }
      return rule.kind == ThresholdRuleKind::kFpr ? fpr_threshold(sc.healthy, rule.value)
                                                  : quantile_threshold(sc.healthy, rule.value);
    };
  };
  // Each test subject is loaded once and scored by every method (their Patch2Loc maps shared
  // through one cache that lives as long as the subject), then released.
  std::vector<std::pair<std::string, const SubjectList*>> groups;
  for (const auto& set : in.sets)
    if (auto it = in.test.find(set); it != in.test.end()) groups.push_back({set, &it->second});
  if (!in.healthy_test.empty()) groups.push_back({in.healthy_name, &in.healthy_test});
  std::vector<std::vector<SetMeasurement>> measured(methods.size());  // [method][group]
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto started = std::chrono::steady_clock::now();
    const auto& [set, subjects] = groups[g];
    const bool is_healthy = subjects == &in.healthy_test;
    for (size_t k = 0; k < methods.size(); ++k)
      measured[k].emplace_back(methods[k].name, set, is_healthy, grid.rules, threshold_for(methods[k], set, is_healthy));
    for (size_t i = 0; i < subjects->size(); ++i) {
      const auto s = subjects->get(i);
      SourceMaps per_subject(in, false);
      for (size_t k = 0; k < methods.size(); ++k) measured[k][g].add(*s, (*methods[k].build)(*s, per_subject));
    }
    if (log)
      log("methods: " + set + ": " + std::to_string(subjects->size()) + " volume(s) x " + std::to_string(methods.size()) +
          " method(s) scored" + elapsed_text(started));
  }
  // Rows in the table's order: method by method, set by set.
  for (auto& per_method : measured)
    for (auto& m : per_method) m.finish(res);
  return res;
}

}  // namespace p2l
