#include "scoring/MethodSelection.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "scoring/HeldSplits.hpp"
#include "io/AtomicFile.hpp"
#include "io/Csv.hpp"
#include "scoring/TestScoring.hpp"
#include "scoring/Thresholds.hpp"
#include "dist/SoloWorld.hpp"

namespace p2l {
namespace {

// Keeps the better of two choices: a higher Dice, or the earlier candidate on a tie.
void keep_best(std::optional<std::pair<size_t, SelectedMethod>>& best, size_t index, const Method& m,
               const HeldSummary& h, const ValidationChoice& c) {
  if (best && (best->second.val_dice > c.choice.dice || (best->second.val_dice == c.choice.dice && best->first < index)))
    return;
  best = std::make_pair(index, SelectedMethod{m, c.choice.threshold, c.choice.dice, c.volumes, h.source_stats,
                                              h.partner_stats});
}

const ThresholdRule kValidationDice{ThresholdRuleKind::kValidationDice, 0};

}  // namespace

MethodSelection select_methods(const std::vector<Method>& candidates, const EvalInputs& in, bool per_set,
                                 bool pooled, const std::set<std::string>& skip,
                                 const std::function<void(const std::string&)>& log) {
  MethodSelection sel;
  std::vector<Method> compared;
  for (const auto& m : candidates)
    if (!skip.count(m.source) && !skip.count(m.partner)) compared.push_back(m);
  sel.candidates = compared.size();
  HeldNeeds needs;
  needs.per_set = per_set, needs.pooled = pooled;
  const std::vector<HeldSummary> held = summarize_held_splits(compared, in, needs, log);
  std::map<std::string, std::optional<std::pair<size_t, SelectedMethod>>> best_per_set;
  std::optional<std::pair<size_t, SelectedMethod>> best_pooled;
  for (size_t k = 0; k < compared.size(); ++k) {
    for (const auto& [set, c] : held[k].per_set) keep_best(best_per_set[set], k, compared[k], held[k], c);
    if (held[k].pooled) keep_best(best_pooled, k, compared[k], held[k], *held[k].pooled);
  }
  for (const auto& [set, best] : best_per_set)
    if (best) sel.per_set[set] = best->second;
  if (best_pooled) sel.pooled = best_pooled->second;
  return sel;
}

void plan_selected(const MethodSelection& sel, const EvalInputs& in, TestPlan& plan, MethodResults& res) {
  const std::vector<TestGroup> groups = test_groups(in);
  auto scored = [&](const SelectedMethod& c) {
    return GroupPlan{c.method, c.source_stats, c.partner_stats, {RuleThreshold::fixed(c.threshold)}};
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
  os << "scope,set,method,threshold,validation_dice,validation_volumes,candidates,method_id\n";
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
