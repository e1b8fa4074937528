#include "scoring/HeldSplits.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <set>

#include "scoring/DiceThresholdSearch.hpp"
#include "scoring/MethodMaps.hpp"
#include "scoring/OrderStatistics.hpp"

namespace p2l {
namespace {

// The map a source gives a method: Patch2Loc's depends on the score component and median size.
std::string map_key(const Method& m, const std::string& source) {
  return is_patch2loc(source) ? source + "/" + score_components().id(m.score) + "/m" + std::to_string(m.median_size)
                              : source;
}

// The Patch2Loc variant a method's maps use ("" when it uses none).
std::string patch2loc_key(const Method& m) {
  return m.uses_patch2loc() ? map_key(m, source_name(BuiltInSource::kPatch2Loc)) : "";
}

// Calls visit(subject, set) for every held subject: the reference (set "") and/or every
// set's validation subjects with a segmentation, loading each once.
void for_each_held(const EvalInputs& in, bool reference, bool validation,
                   const std::function<void(const EvalSubject&, const std::string&)>& visit) {
  for (size_t i = 0; reference && i < in.healthy_reference.size(); ++i) visit(*in.healthy_reference.get(i), "");
  for (const auto& set : in.sets) {
    auto it = in.val.find(set);
    if (!validation || it == in.val.end()) continue;
    for (size_t i = 0; i < it->second.size(); ++i) {
      const auto s = it->second.get(i);
      if (!s->seg.data.empty()) visit(*s, set);
    }
  }
}

}  // namespace

std::vector<HeldSummary> summarize_held_splits(const std::vector<Method>& methods, const EvalInputs& in,
                                               const HeldNeeds& needs,
                                               const std::function<void(const std::string&)>& log) {
  std::vector<HeldSummary> out(methods.size());
  // Methods sharing a Patch2Loc variant run together, so a volume's SourceMaps filters each once.
  std::vector<size_t> order(methods.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return patch2loc_key(methods[a]) < patch2loc_key(methods[b]);
  });
  auto started = std::chrono::steady_clock::now();
  auto pass_done = [&](const std::string& what, size_t n, size_t volumes) {
    if (!log) return;
    char line[240];
    std::snprintf(line, sizeof line, "held splits: %s, %zu method(s) over %zu volume(s) (%.1f s)", what.c_str(), n,
                  volumes, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    log(line);
    started = std::chrono::steady_clock::now();
  };

  // Pass 0, the reference: fusion statistics, one accumulator per source map shared by methods.
  std::map<std::string, MapStatsAccumulator> stats;
  for (const auto& m : methods) {
    if (m.fusion == FusionMode::kNone) continue;
    for (const auto& src : {m.source, m.partner}) {
      auto [it, added] = stats.try_emplace(map_key(m, src), m.fusion == FusionMode::kFisher);
      if (!added && m.fusion == FusionMode::kFisher) it->second = MapStatsAccumulator(true);  // empty yet
    }
  }
  if (!stats.empty()) {
    size_t volumes = 0;
    for_each_held(in, true, false, [&](const EvalSubject& s, const std::string&) {
      ++volumes;
      SourceMaps sources(in, true);
      std::set<std::string> done;
      for (size_t k : order) {
        const Method& m = methods[k];
        if (m.fusion == FusionMode::kNone) continue;
        for (const auto& src : {m.source, m.partner})
          if (done.insert(map_key(m, src)).second) stats.at(map_key(m, src)).add(sources.get(s, src, m), s.mask);
      }
    });
    // One result per source map: methods sharing it share its sorted values (fisher).
    std::map<std::string, MapStats> of;
    for (const auto& [key, acc] : stats) of.emplace(key, acc.result());
    stats.clear();  // the accumulators' unsorted copies
    for (size_t k = 0; k < methods.size(); ++k) {
      const Method& m = methods[k];
      if (m.fusion == FusionMode::kNone) continue;
      out[k].source_stats = of.at(map_key(m, m.source));
      out[k].partner_stats = of.at(map_key(m, m.partner));
      if (m.fusion != FusionMode::kFisher) out[k].source_stats.sorted = out[k].partner_stats.sorted = nullptr;
    }
    pass_done("fusion statistics on the healthy reference", methods.size(), volumes);
  }

  // Passes 1 and 2 (counts, then the counts inside the buckets that decide), one group of
  // methods sharing a Patch2Loc variant at a time: each volume's variant map is filtered once
  // per pass either way, and only one group's counts are held.
  const bool healthy = !needs.quantiles.empty() || !needs.rates.empty();
  const bool validation = needs.per_set || needs.pooled;
  size_t most_bytes = 0;
  for (size_t first = 0; first < order.size();) {
    size_t end = first;
    const std::string variant = patch2loc_key(methods[order[first]]);
    while (end < order.size() && patch2loc_key(methods[order[end]]) == variant) ++end;
    const std::vector<size_t> group(order.begin() + long(first), order.begin() + long(end));
    first = end;
    const size_t n = group.size();
    std::vector<OrderStatistics> values(healthy ? n : 0);
    std::vector<std::map<std::string, DiceThresholdSearch>> per_set(n);
    std::vector<DiceThresholdSearch> pooled(needs.pooled ? n : 0);
    std::vector<std::map<std::string, bool>> set_refines(n);
    std::vector<bool> pool_refines(pooled.size(), false), values_refine(values.size(), false);
    // use(g, in-brain scores) for each method g of the group.
    auto visit_maps = [&](const EvalSubject& s, const std::function<void(size_t, const ScoredVolume&)>& use) {
      SourceMaps sources(in, true);
      for (size_t g = 0; g < n; ++g) {
        const size_t k = group[g];
        const MethodMaps build(methods[k], in, sources, out[k].source_stats, out[k].partner_stats);
        use(g, in_brain(s, build(s)));
      }
    };
    const std::string what = variant.empty() ? "maps without Patch2Loc" : variant;
    size_t volumes = 0;
    for_each_held(in, healthy, validation, [&](const EvalSubject& s, const std::string& set) {
      ++volumes;
      visit_maps(s, [&](size_t g, const ScoredVolume& v) {
        if (set.empty()) return values[g].add(v.score);
        if (needs.per_set) per_set[g][set].add(v);
        if (needs.pooled) pooled[g].add(v);
      });
    });
    pass_done("counts, " + what, n, volumes);
    bool second = false;
    for (size_t g = 0; g < n; ++g) {
      if (healthy) {
        for (double q : needs.quantiles) values[g].want_quantile(q);
        for (double r : needs.rates) values[g].want_exceeded_by(r);
        second |= values_refine[g] = values[g].needs_second_pass();
      }
      for (auto& [set, search] : per_set[g]) second |= set_refines[g][set] = search.needs_second_pass();
      if (needs.pooled) second |= pool_refines[g] = pooled[g].needs_second_pass();
    }
    if (second) {
      volumes = 0;
      for_each_held(in, healthy, validation, [&](const EvalSubject& s, const std::string& set) {
        ++volumes;
        visit_maps(s, [&](size_t g, const ScoredVolume& v) {
          if (set.empty()) {
            if (values_refine[g]) values[g].refine(v.score);
            return;
          }
          if (needs.per_set && set_refines[g][set]) per_set[g].at(set).refine(v);
          if (needs.pooled && pool_refines[g]) pooled[g].refine(v);
        });
      });
      pass_done("exact thresholds inside the deciding buckets, " + what, n, volumes);
    }
    size_t bytes = 0;
    for (size_t g = 0; g < n; ++g) {
      const size_t k = group[g];
      HeldSummary& h = out[k];
      h.has_healthy = healthy && values[g].count() > 0;
      for (double q : needs.quantiles) h.quantile.push_back(h.has_healthy ? values[g].quantile(q) : 0.0);
      for (double r : needs.rates) h.rate.push_back(h.has_healthy ? values[g].exceeded_by(r) : 0.0);
      for (const auto& [set, search] : per_set[g]) h.per_set[set] = {search.result(), search.volumes()};
      if (needs.pooled && pooled[g].volumes() > 0) h.pooled = ValidationChoice{pooled[g].result(), pooled[g].volumes()};
      if (healthy) bytes += values[g].bytes();
      for (const auto& [set, search] : per_set[g]) bytes += search.bytes();
      if (needs.pooled) bytes += pooled[g].bytes();
    }
    most_bytes = std::max(most_bytes, bytes);
  }
  if (log) {
    char line[160];
    std::snprintf(line, sizeof line, "held splits: counts held at most (one group of methods): %.1f MiB",
                  double(most_bytes) / 1048576.0);
    log(line);
  }
  return out;
}

}  // namespace p2l
