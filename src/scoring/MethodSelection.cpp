#include "scoring/MethodSelection.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "scoring/MethodMaps.hpp"
#include "io/AtomicFile.hpp"
#include "io/Csv.hpp"
#include "scoring/TestScoring.hpp"
#include "scoring/Thresholds.hpp"
#include "dist/SoloWorld.hpp"

namespace p2l {
namespace {

// Patch2Loc's (score, median) variant of a method; "" when it uses no Patch2Loc map.
std::string variant_of(const Method& m) {
  return m.uses_patch2loc() ? score_components().id(m.score) + std::string(" m") + std::to_string(m.median_size) : "";
}

// Keeps the better of two choices: a higher Dice, or the earlier candidate on a tie.
void keep_best(std::optional<std::pair<size_t, SelectedMethod>>& best, size_t index, const Method& m,
               const DiceChoice& c, size_t volumes) {
  if (best && (best->second.val_dice > c.dice || (best->second.val_dice == c.dice && best->first < index))) return;
  best = std::make_pair(index, SelectedMethod{m, c.threshold, c.dice, volumes});
}

const ThresholdRule kValidationDice{ThresholdRuleKind::kValidationDice, 0};

}  // namespace

MethodSelection select_methods(const std::vector<Method>& candidates, const EvalInputs& in, bool per_set,
                                 bool pooled, const std::set<std::string>& skip,
                                 const std::function<void(const std::string&)>& log) {
  MethodSelection sel;
  // Candidates sharing a Patch2Loc variant run together, so each variant's median filter runs
  // once per volume; the original index still breaks ties.
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return variant_of(candidates[a]) < variant_of(candidates[b]); });
  SourceMaps sources(in, true);
  std::map<std::string, std::optional<std::pair<size_t, SelectedMethod>>> best_per_set;
  std::optional<std::pair<size_t, SelectedMethod>> best_pooled;
  auto started = std::chrono::steady_clock::now();
  size_t in_group = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const Method& m = candidates[order[k]];
    if (skip.count(m.source) || skip.count(m.partner)) continue;
    ++sel.candidates, ++in_group;
    const MethodMaps build(m, in, sources);
    std::vector<ScoredVolume> all;
    for (const auto& set : in.sets) {
      auto it = in.val.find(set);
      if (it == in.val.end()) continue;
      std::vector<ScoredVolume> vols = diseased_in_brain(it->second, build);
      if (vols.empty()) continue;
      if (per_set) keep_best(best_per_set[set], order[k], m, best_dice_threshold(vols), vols.size());
      if (pooled) all.insert(all.end(), std::make_move_iterator(vols.begin()), std::make_move_iterator(vols.end()));
    }
    if (pooled && !all.empty()) keep_best(best_pooled, order[k], m, best_dice_threshold(all), all.size());
    const bool group_ends = k + 1 == order.size() || variant_of(candidates[order[k + 1]]) != variant_of(m);
    if (log && group_ends) {
      char line[160];
      std::snprintf(line, sizeof line, "selection: %zu method(s) with %s done (%.1f s)", in_group,
                    variant_of(m).empty() ? "no Patch2Loc map" : ("Patch2Loc " + variant_of(m)).c_str(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      log(line);
      started = std::chrono::steady_clock::now(), in_group = 0;
    }
  }
  for (const auto& [set, best] : best_per_set)
    if (best) sel.per_set[set] = best->second;
  if (best_pooled) sel.pooled = best_pooled->second;
  return sel;
}

void plan_selected(const MethodSelection& sel, const EvalInputs& in, TestPlan& plan, MethodResults& res) {
  SourceMaps sources(in, false);
  const std::vector<TestGroup> groups = test_groups(in);
  auto scored = [&](const SelectedMethod& c) {
    const MethodMaps build(c.method, in, sources);  // its fusion statistics
    return GroupPlan{c.method, build.source_stats(), build.partner_stats(), {RuleThreshold::fixed(c.threshold)}};
  };
  if (!sel.per_set.empty()) {
    res.rows.push_back({kSelectedPerSet, kValidationDice.label()});
    PlanEntry e{{kSelectedPerSet, kSelectedPerSetId}, {kValidationDice}, {}, {}};
    for (const auto& g : groups) {
      auto choice = sel.per_set.find(g.name);
      if (!g.is_healthy && choice != sel.per_set.end()) e.groups.push_back(scored(choice->second));
      else e.groups.emplace_back();
      e.group_notes.push_back(g.is_healthy || choice != sel.per_set.end()
                                  ? ""
                                  : std::string(kSelectedPerSet) + " / " + g.name +
                                        ": not computed (no diseased validation split " + g.name + "_val)");
    }
    plan.entries.push_back(std::move(e));
  }
  if (sel.pooled) {
    res.rows.push_back({kSelectedPooled, kValidationDice.label()});
    const GroupPlan gp = scored(*sel.pooled);
    plan.entries.push_back({{kSelectedPooled, kSelectedPooledId}, {kValidationDice},
                            std::vector<std::optional<GroupPlan>>(groups.size(), gp),
                            std::vector<std::string>(groups.size())});
  }
}

void score_selected(const MethodSelection& sel, const EvalInputs& in, MethodResults& res) {
  TestPlan plan;
  plan_selected(sel, in, plan, res);
  SoloWorld solo;
  score_test_splits(plan, in, solo, res);
}

void write_selection_csv(const std::string& path, const MethodSelection& sel, const std::vector<std::string>& sets) {
  std::ostringstream os;
  os << "scope,set,setting,threshold,validation_dice,validation_volumes,candidates,method_id\n";
  auto row = [&](const std::string& scope, const std::string& set, const SelectedMethod& c) {
    os << scope << "," << csv_quote(set) << "," << csv_quote(c.method.label()) << "," << csv_number(c.threshold) << ","
       << csv_number(c.val_dice) << "," << c.val_volumes << "," << sel.candidates << "," << csv_quote(c.method.id())
       << "\n";
  };
  for (const auto& set : sets)
    if (auto it = sel.per_set.find(set); it != sel.per_set.end()) row("per_set", set, it->second);
  if (sel.pooled) row("pooled", "all", *sel.pooled);
  write_file_atomic(path, os.str());
}

std::vector<std::string> selection_lines(const MethodSelection& sel, const std::vector<std::string>& sets) {
  std::vector<std::string> out;
  auto line = [&](const std::string& what, const SelectedMethod& c) {
    char buf[128];
    std::snprintf(buf, sizeof buf, " (validation Dice %.3f on %zu volume(s), threshold %.4g; %zu candidates)", c.val_dice,
                  c.val_volumes, c.threshold, sel.candidates);
    out.push_back("selected " + what + ": " + c.method.label() + buf);
  };
  for (const auto& set : sets)
    if (auto it = sel.per_set.find(set); it != sel.per_set.end()) line("for " + set, it->second);
  if (sel.pooled) line("for all sets pooled", *sel.pooled);
  return out;
}

}  // namespace p2l
