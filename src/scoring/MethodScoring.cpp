#include "scoring/MethodScoring.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <stdexcept>

#include "config/EvalChoices.hpp"
#include "scoring/Fusion.hpp"
#include "scoring/HeldSplits.hpp"
#include "scoring/MethodMaps.hpp"
#include "scoring/MedianFilter.hpp"
#include "scoring/Metrics.hpp"
#include "scoring/SurfaceDistance.hpp"
#include "scoring/TestScoring.hpp"
#include "scoring/Thresholds.hpp"
#include "dist/SoloWorld.hpp"

namespace p2l {

FloatVolume patch2loc_map(const EvalSubject& s, const Method& m, int erode_mask, const MapFilter& filter) {
  return filter(combine_scores(s.raw, m.score), m.median_size, erode(s.mask, erode_mask));
}

namespace {

// The per-volume value a summary metric averages.
double VolumeRow::*volume_field(SummaryMetric m) {
  switch (m) {
    case SummaryMetric::kDice: return &VolumeRow::dice;
    case SummaryMetric::kAuprc: return &VolumeRow::auprc;
    case SummaryMetric::kAuroc: return &VolumeRow::auroc;
    case SummaryMetric::kPrecision: return &VolumeRow::precision;
    case SummaryMetric::kRecall: return &VolumeRow::recall;
    case SummaryMetric::kSpecificity: return &VolumeRow::specificity;
    case SummaryMetric::kFpr: return &VolumeRow::fpr;
    case SummaryMetric::kHd95: return &VolumeRow::hd95;
    case SummaryMetric::kHdMax: return &VolumeRow::hd_max;
    case SummaryMetric::kGtMl: return &VolumeRow::gt_ml;
    case SummaryMetric::kPredMl: return &VolumeRow::pred_ml;
    case SummaryMetric::kThreshold: return &VolumeRow::threshold;
  }
  return &VolumeRow::threshold;
}

// Every subject's map of every non-Patch2Loc source used: the sources whose maps are missing
// or on another grid, with one note per bad subject.
std::set<std::string> check_sources(const MethodGrid& grid, const EvalInputs& in, MethodResults& res) {
  std::set<std::string> used, bad;
  auto note = [&](const std::string& src, const std::string& text) {
    res.notes.push_back(text);
    res.source_notes.push_back(text);
    bad.insert(src);
  };
  for (const auto& m : grid.methods)
    for (const auto& src : {m.source, m.partner})
      if (!src.empty() && !is_patch2loc(src)) used.insert(src);
  // Every subject's id and grids (a test subject is loaded once for this, then released).
  struct Grids {
    std::string id;
    Geometry grid, input;
  };
  std::vector<Grids> all;
  if (!used.empty()) {
    auto add_list = [&](const SubjectList& l) {
      for (size_t i = 0; i < l.size(); ++i) {
        const auto s = l.get(i);
        all.push_back({s->id, s->mask.geom, s->source_geom});
      }
    };
    add_list(in.healthy_reference);
    add_list(in.healthy_test);
    for (const auto& [set, subjects] : in.test) add_list(subjects);
    for (const auto& [set, subjects] : in.val) add_list(subjects);
  }
  for (const auto& src : used) {
    auto dir = in.source_dirs.find(src);
    if (dir == in.source_dirs.end()) {
      note(src, "map source '" + src + "': unknown (eval.sources, eval.external_maps): its rows are skipped");
      continue;
    }
    for (const auto& s : all) {
      try {
        read_source_map(dir->second, s.id, s.grid, s.input);
      } catch (const std::exception& e) {
        note(src, "map source '" + src + "': " + e.what() + ": its rows are skipped");
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

}  // namespace

MeasuredVolume measure_volume(const EvalSubject& s, const FloatVolume& map, const std::vector<RuleThreshold>& thresholds,
                              const std::string& set, bool is_healthy) {
  if (!is_healthy && s.seg.data.empty())
    throw std::runtime_error(s.id + ": set '" + set + "' subject has no segmentation; metrics need one");
  MeasuredVolume mv;
  mv.label = s.label;
  const ScoredVolume sv = in_brain(s, map);
  const RankingMetrics rank = ranking_metrics(sv.score, sv.label);
  slice_scores(map, s.mask, s.seg.data.empty() ? nullptr : &s.seg, mv.slice_score, mv.slice_label);
  for (const auto& t : thresholds) {
    switch (t.kind) {
      case RuleThreshold::Kind::kNone: mv.rows.emplace_back(); break;
      case RuleThreshold::Kind::kFixed: mv.rows.push_back(measure(s, map, rank, t.value)); break;
      case RuleThreshold::Kind::kPerVolume:
        mv.rows.push_back(measure(s, map, rank, best_dice_threshold({sv}).threshold));
        break;
    }
  }
  return mv;
}

SetMeasurement::SetMeasurement(MethodName method, std::string set, const std::vector<ThresholdRule>& rules,
                               std::vector<RuleThreshold> thresholds)
    : method_(std::move(method)), set_(std::move(set)), rules_(rules), thresholds_(std::move(thresholds)) {
  if (thresholds_.size() != rules_.size()) throw std::logic_error("SetMeasurement: one threshold per rule");
}

void SetMeasurement::add(const std::string& id, MeasuredVolume v) {
  if (v.rows.size() != rules_.size()) throw std::runtime_error("SetMeasurement: a volume measured under other rules");
  ++added_;
  slice_score_.insert(slice_score_.end(), v.slice_score.begin(), v.slice_score.end());
  slice_label_.insert(slice_label_.end(), v.slice_label.begin(), v.slice_label.end());
  for (size_t k = 0; k < rules_.size(); ++k) {
    if (!v.rows[k]) continue;
    VolumeRow& r = *v.rows[k];
    r.id = id, r.label = v.label;
    r.method = method_.label, r.rule = rules_[k].label(), r.set = set_;
    r.method_id = method_.id, r.rule_id = rules_[k].id();
    per_rule_[r.rule].push_back(r);
    volumes_.push_back(r);
  }
}

void SetMeasurement::finish(MethodResults& res) {
  res.volumes.insert(res.volumes.end(), volumes_.begin(), volumes_.end());
  const RankingMetrics slices = ranking_metrics(slice_score_, slice_label_);
  for (size_t k = 0; k < rules_.size(); ++k) {
    const auto& rule = rules_[k];
    auto it = per_rule_.find(rule.label());
    if (it == per_rule_.end()) {
      const std::string why = added_ == 0 ? "no volumes" : thresholds_[k].why;
      res.notes.push_back(method_.label + " / " + rule.label() + " / " + set_ + ": not computed (" + why + ")");
      continue;
    }
    SummaryRow sr;
    sr.method = method_.label, sr.rule = rule.label(), sr.set = set_;
    sr.method_id = method_.id, sr.rule_id = rule.id();
    sr.slice_auroc = slices.auroc, sr.slice_auprc = slices.auprc;
    for (const SummaryMetric m : summary_metrics().values()) {
      std::vector<double> v;
      for (const auto& r : it->second) v.push_back(r.*volume_field(m));
      sr.metrics[summary_metrics().id(m)] = mean_std(v);
    }
    res.summary.push_back(sr);
  }
}

TestPlan plan_methods(const MethodGrid& grid, const EvalInputs& in, MethodResults& res,
                      const std::function<void(const std::string&)>& log) {
  const std::set<std::string> bad = check_sources(grid, in, res);
  std::vector<Method> methods;
  for (const auto& m : grid.methods)
    if (!bad.count(m.source) && !bad.count(m.partner)) methods.push_back(m);
  // Each healthy rule's index among the quantiles or the rates asked of the held splits.
  HeldNeeds needs;
  std::vector<size_t> healthy_index(grid.rules.size(), 0);
  for (size_t k = 0; k < grid.rules.size(); ++k) {
    const ThresholdRule& rule = grid.rules[k];
    if (rule.kind == ThresholdRuleKind::kHealthyQuantile)
      healthy_index[k] = needs.quantiles.size(), needs.quantiles.push_back(rule.value);
    if (rule.kind == ThresholdRuleKind::kFpr) healthy_index[k] = needs.rates.size(), needs.rates.push_back(rule.value);
    if (rule.kind == ThresholdRuleKind::kValidationDice) needs.per_set = true;
  }
  const std::vector<HeldSummary> held = summarize_held_splits(methods, in, needs, log);
  const std::vector<TestGroup> groups = test_groups(in);
  TestPlan plan;
  for (size_t i = 0; i < methods.size(); ++i) {
    const Method& m = methods[i];
    const HeldSummary& h = held[i];
    // A rule's threshold on one test split.
    auto threshold_on = [&](size_t k, const TestGroup& g) {
      const ThresholdRule& rule = grid.rules[k];
      switch (rule.kind) {
        case ThresholdRuleKind::kBestDicePerVolume: return RuleThreshold::per_volume();
        case ThresholdRuleKind::kValidationDice:
          if (g.is_healthy) return RuleThreshold::none("a healthy set has no validation split");
          if (h.per_set.count(g.name)) return RuleThreshold::fixed(h.per_set.at(g.name).choice.threshold);
          return RuleThreshold::none("no diseased validation split " + g.name + "_val");
        case ThresholdRuleKind::kHealthyQuantile:
        case ThresholdRuleKind::kFpr:
          if (!h.has_healthy) return RuleThreshold::none("no healthy reference volumes");
          return RuleThreshold::fixed(rule.kind == ThresholdRuleKind::kFpr ? h.rate[healthy_index[k]]
                                                                            : h.quantile[healthy_index[k]]);
      }
      throw std::logic_error("plan_methods: unknown threshold rule");
    };
    PlanEntry e{{m.label(), m.id()}, grid.rules, {}, {}};
    for (const auto& g : groups) {
      GroupPlan gp{m, h.source_stats, h.partner_stats, {}};
      for (size_t k = 0; k < grid.rules.size(); ++k) gp.thresholds.push_back(threshold_on(k, g));
      e.groups.push_back(std::move(gp));
      e.group_notes.emplace_back();
    }
    for (const auto& rule : grid.rules) res.rows.push_back({e.name.label, rule.label()});
    plan.entries.push_back(std::move(e));
  }
  return plan;
}

MethodResults score_methods(const MethodGrid& grid, const EvalInputs& in,
                            const std::function<void(const std::string&)>& log) {
  MethodResults res;
  SoloWorld solo;
  score_test_splits(plan_methods(grid, in, res, log), in, solo, res, log);
  return res;
}

}  // namespace p2l
