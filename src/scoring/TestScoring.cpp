#include "scoring/TestScoring.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "dist/World.hpp"
#include "io/ByteStream.hpp"
#include "io/ProgressMeter.hpp"
#include "scoring/MethodMaps.hpp"

namespace p2l {
namespace {

// Format marks: a plan or a measurement from another build fails loudly, not as garbage.
constexpr uint32_t kPlanMagic = 0x504c414e;     // "PLAN"
constexpr uint32_t kMeasuredMagic = 0x4d534d54; // "MSMT"

void put(ByteWriter& w, const MapStats& s) {
  w.put(s.mean), w.put(s.std), w.put(s.min), w.put(s.max);
  w.put(uint8_t(s.sorted != nullptr));
  if (s.sorted) w.put(*s.sorted);
}
MapStats get_stats(ByteReader& r) {
  MapStats s;
  s.mean = r.get<double>(), s.std = r.get<double>(), s.min = r.get<double>(), s.max = r.get<double>();
  if (r.get<uint8_t>()) s.sorted = std::make_shared<const std::vector<float>>(r.get_vector<float>());
  return s;
}

void put(ByteWriter& w, const Method& m) {
  w.put(int32_t(m.score)), w.put(int32_t(m.median_size)), w.put(int32_t(m.fusion)), w.put(m.weight);
  w.put(m.source), w.put(m.partner);
}
Method get_method(ByteReader& r) {
  Method m;
  m.score = ScoreComponent(r.get<int32_t>());
  m.median_size = r.get<int32_t>();
  m.fusion = FusionMode(r.get<int32_t>());
  m.weight = r.get<double>();
  m.source = r.get_string(), m.partner = r.get_string();
  return m;
}

// The numbers of a VolumeRow (names and id are added on rank 0).
constexpr double VolumeRow::*kRowNumbers[] = {
    &VolumeRow::threshold, &VolumeRow::auroc, &VolumeRow::auprc,       &VolumeRow::dice,
    &VolumeRow::precision, &VolumeRow::recall, &VolumeRow::fpr,        &VolumeRow::specificity,
    &VolumeRow::hd95,      &VolumeRow::hd_max, &VolumeRow::gt_ml,      &VolumeRow::pred_ml};

void put(ByteWriter& w, const MeasuredVolume& v) {
  w.put(int32_t(v.label));
  w.put(uint64_t(v.rows.size()));
  for (const auto& row : v.rows) {
    w.put(uint8_t(row.has_value()));
    if (row)
      for (auto f : kRowNumbers) w.put((*row).*f);
  }
  w.put(v.slice_score), w.put(v.slice_label);
}
MeasuredVolume get_measured(ByteReader& r) {
  MeasuredVolume v;
  v.label = r.get<int32_t>();
  v.rows.resize(size_t(r.get<uint64_t>()));
  for (auto& row : v.rows) {
    if (!r.get<uint8_t>()) continue;
    row.emplace();
    for (auto f : kRowNumbers) (*row).*f = r.get<double>();
  }
  v.slice_score = r.get_vector<float>(), v.slice_label = r.get_vector<uint8_t>();
  return v;
}

}  // namespace

std::vector<TestGroup> test_groups(const EvalInputs& in) {
  std::vector<TestGroup> g;
  for (const auto& set : in.sets)
    if (auto it = in.test.find(set); it != in.test.end()) g.push_back({set, &it->second, false});
  if (!in.healthy_test.empty()) g.push_back({in.healthy_name, &in.healthy_test, true});
  return g;
}

std::string encode_plan(const TestPlan& plan) {
  ByteWriter w;
  w.put(kPlanMagic);
  w.put(uint64_t(plan.entries.size()));
  for (const auto& e : plan.entries) {
    w.put(e.name.label), w.put(e.name.id);
    w.put(uint64_t(e.rules.size()));
    for (const auto& rule : e.rules) w.put(int32_t(rule.kind)), w.put(rule.value);
    w.put(uint64_t(e.groups.size()));
    for (size_t g = 0; g < e.groups.size(); ++g) {
      w.put(e.group_notes.at(g));
      w.put(uint8_t(e.groups[g].has_value()));
      if (!e.groups[g]) continue;
      const GroupPlan& gp = *e.groups[g];
      put(w, gp.method), put(w, gp.source_stats), put(w, gp.partner_stats);
      w.put(uint64_t(gp.thresholds.size()));
      for (const auto& t : gp.thresholds) w.put(int32_t(t.kind)), w.put(t.value), w.put(t.why);
    }
  }
  return w.bytes();
}

TestPlan decode_plan(const std::string& bytes) {
  ByteReader r(bytes);
  if (r.get<uint32_t>() != kPlanMagic) throw std::runtime_error("decode_plan: not a test plan");
  TestPlan plan;
  plan.entries.resize(size_t(r.get<uint64_t>()));
  for (auto& e : plan.entries) {
    e.name.label = r.get_string(), e.name.id = r.get_string();
    e.rules.resize(size_t(r.get<uint64_t>()));
    for (auto& rule : e.rules) rule.kind = ThresholdRuleKind(r.get<int32_t>()), rule.value = r.get<double>();
    const auto groups = size_t(r.get<uint64_t>());
    for (size_t g = 0; g < groups; ++g) {
      e.group_notes.push_back(r.get_string());
      if (!r.get<uint8_t>()) {
        e.groups.emplace_back();
        continue;
      }
      GroupPlan gp;
      gp.method = get_method(r);
      gp.source_stats = get_stats(r), gp.partner_stats = get_stats(r);
      gp.thresholds.resize(size_t(r.get<uint64_t>()));
      for (auto& t : gp.thresholds) {
        t.kind = RuleThreshold::Kind(r.get<int32_t>());
        t.value = r.get<double>();
        t.why = r.get_string();
      }
      e.groups.push_back(std::move(gp));
    }
  }
  if (!r.done()) throw std::runtime_error("decode_plan: bytes left after the plan");
  return plan;
}

void score_test_splits(const TestPlan& plan, const EvalInputs& in, World& world, MethodResults& res,
                       const std::function<void(const std::string&)>& log, double progress_seconds) {
  const std::vector<TestGroup> groups = test_groups(in);
  for (const auto& e : plan.entries)
    if (e.groups.size() != groups.size() || e.group_notes.size() != groups.size())
      throw std::runtime_error("score_test_splits: the plan has " + std::to_string(e.groups.size()) +
                               " test split(s), this rank " + std::to_string(groups.size()));
  const size_t rank = size_t(world.rank()), size = size_t(world.size());
  SourceMaps unused(in, false);  // every map is built through a cache that lives with its subject
  // builds[e][g]: the maps of entry e on group g (null: not scored there).
  std::vector<std::vector<std::unique_ptr<MethodMaps>>> builds(plan.entries.size());
  for (size_t e = 0; e < plan.entries.size(); ++e)
    for (const auto& gp : plan.entries[e].groups)
      builds[e].push_back(gp ? std::make_unique<MethodMaps>(gp->method, in, unused, gp->source_stats, gp->partner_stats)
                             : nullptr);
  long share = 0;
  for (const auto& g : groups) share += long((g.subjects->size() + size - 1 - rank) / size);
  std::ostringstream progress_text;
  ProgressMeter progress(size > 1 ? "methods: test volumes of rank 0 (" + std::to_string(size) + " ranks share them)"
                                  : "methods: test volumes",
                         share, progress_seconds, progress_text);
  long done = 0;
  ByteWriter mine;  // this rank's records: (group, subject index, entry, measurement)
  uint64_t records = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto started = std::chrono::steady_clock::now();
    const TestGroup& group = groups[g];
    size_t methods = 0, scored = 0;
    for (const auto& b : builds) methods += b[g] != nullptr;
    for (size_t i = rank; methods > 0 && i < group.subjects->size(); i += size, ++scored) {
      const auto s = group.subjects->get(i);
      SourceMaps per_subject(in, false);  // lives while this subject is loaded
      for (size_t e = 0; e < plan.entries.size(); ++e) {
        if (!builds[e][g]) continue;
        const MeasuredVolume mv = measure_volume(*s, (*builds[e][g])(*s, per_subject),
                                                 plan.entries[e].groups[g]->thresholds, group.name, group.is_healthy);
        mine.put(uint64_t(g)), mine.put(uint64_t(i)), mine.put(uint64_t(e));
        put(mine, mv);
        ++records;
      }
      progress.update(++done);
      if (!progress_text.str().empty()) {
        std::string line = progress_text.str();
        line.pop_back();  // the meter's newline
        if (log && rank == 0) log(line);
        progress_text.str("");
      }
    }
    if (log && rank == 0) {
      char took[48];
      std::snprintf(took, sizeof took, " (%.1f s)",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      log("methods: " + group.name + ": " + std::to_string(group.subjects->size()) + " volume(s) x " +
          std::to_string(methods) + " method(s) scored" +
          (size > 1 ? ", " + std::to_string(scored) + " of them on rank 0 of " + std::to_string(size) : std::string()) + took);
    }
  }
  ByteWriter head;  // every rank's records behind a mark and their count: ranks' texts are concatenated
  head.put(kMeasuredMagic), head.put(records);
  const std::string all = world.gather_text(head.bytes() + mine.bytes());
  if (rank != 0) return;
  // measured[e][g][i], from every rank's records (each starts with its mark).
  std::vector<std::vector<std::map<size_t, MeasuredVolume>>> measured(
      plan.entries.size(), std::vector<std::map<size_t, MeasuredVolume>>(groups.size()));
  ByteReader r(all);
  while (!r.done()) {
    if (r.get<uint32_t>() != kMeasuredMagic) throw std::runtime_error("score_test_splits: a rank sent something other than measurements");
    for (auto n = r.get<uint64_t>(); n > 0; --n) {
      const auto g = size_t(r.get<uint64_t>()), i = size_t(r.get<uint64_t>()), e = size_t(r.get<uint64_t>());
      if (e >= plan.entries.size() || g >= groups.size()) throw std::runtime_error("score_test_splits: a measurement of no entry");
      measured[e][g].emplace(i, get_measured(r));
    }
  }
  for (size_t e = 0; e < plan.entries.size(); ++e) {
    const PlanEntry& entry = plan.entries[e];
    for (size_t g = 0; g < groups.size(); ++g) {
      if (!entry.groups[g]) {
        if (!entry.group_notes[g].empty()) res.notes.push_back(entry.group_notes[g]);
        continue;
      }
      SetMeasurement m(entry.name, groups[g].name, entry.rules, entry.groups[g]->thresholds);
      for (auto& [i, mv] : measured[e][g]) m.add(groups[g].subjects->id(i), std::move(mv));
      m.finish(res);
    }
  }
}

}  // namespace p2l
