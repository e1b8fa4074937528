#include "cohort/CohortPlan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <cstdio>
#include <filesystem>

#include "cohort/Rng.hpp"
#include "config/CohortConfig.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

// Age ranges of the diseased sets, after the published cohorts they mimic (years).
struct SetInfo {
  const char* name;
  double age_lo, age_hi;
};
// Heterotopia: usually found in adolescents and young adults investigated for epilepsy.
constexpr SetInfo kSets[] = {{"tumor", 25, 80}, {"ms", 20, 60}, {"stroke", 40, 85}, {"wmh", 55, 90},
                             {"heterotopia", 12, 50}};

// Stream ids of the seeds: healthy subjects use set 0; lesion sets 1.. in kSets order, so
// leaving a set out does not change the others.
uint64_t subject_seed(uint64_t seed, uint64_t set, uint64_t split, uint64_t index) {
  return Rng::stream(seed, set * 1000003ULL + split, index).next();
}

std::string numbered(const std::string& prefix, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03d", i);
  return prefix + "_sim_" + buf;
}

PlannedSubject make(const fs::path& dir, const std::string& id, const std::string& set, const std::string& split) {
  PlannedSubject s;
  s.id = id;
  s.set = set;
  s.split = split;
  s.t1 = (dir / "t1" / (id + "_t1.nii.gz")).string();
  s.t2 = (dir / "t2" / (id + "_t2.nii.gz")).string();
  s.mask = (dir / "mask" / (id + "_mask.nii.gz")).string();
  if (!set.empty()) s.seg = (dir / "seg" / (id + "_seg.nii.gz")).string();
  return s;
}

}  // namespace

CohortPlan plan_cohort(const CohortConfig& cfg, const std::string& data_dir) {
  CohortPlan plan;
  const fs::path root = fs::absolute(data_dir);
  const uint64_t seed = uint64_t(cfg.seed);
  auto age = [&](uint64_t s, double lo, double hi) { return std::floor(Rng::stream(s, 99).uniform(lo, hi + 1)); };

  // Healthy: the training pool, then the healthy test subjects, numbered on.
  const int pool = cfg.n_train + cfg.n_val;
  const fs::path ixi = root / "Train" / "ixi";
  std::vector<size_t> pool_idx, test_idx;
  for (int i = 0; i < pool + cfg.n_test_healthy; ++i) {
    const bool in_pool = i < pool;
    PlannedSubject s = make(ixi, numbered("IXI", i), "", in_pool ? "pool" : "test");
    s.seed = subject_seed(seed, 0, in_pool ? 0 : 1, uint64_t(in_pool ? i : i - pool));
    s.age = age(s.seed, cfg.healthy_age[0], cfg.healthy_age[1]);
    (in_pool ? pool_idx : test_idx).push_back(plan.subjects.size());
    plan.subjects.push_back(s);
  }

  // Five folds: a seeded shuffle of the pool; fold f validates on n_val consecutive subjects of
  // it (disjoint folds when the pool holds at least 5 * n_val) and trains on the rest.
  std::vector<size_t> order = pool_idx;
  Rng shuffle = Rng::stream(seed, 0xF01D);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[size_t(shuffle.integer(0, long(i) - 1))]);
  for (int f = 0; f < kFolds; ++f) {
    std::vector<size_t> train, val;
    for (int i = 0; i < pool; ++i) {
      const int pos = ((i - f * cfg.n_val) % pool + pool) % pool;
      (pos < cfg.n_val ? val : train).push_back(order[i]);
    }
    std::sort(train.begin(), train.end());
    std::sort(val.begin(), val.end());
    plan.splits.push_back({"IXI_train_fold" + std::to_string(f), train});
    plan.splits.push_back({"IXI_val_fold" + std::to_string(f), val});
  }
  plan.splits.push_back({"IXI_test", test_idx});

  for (const std::string& set : cfg.lesion_sets) {
    uint64_t set_id = 0;
    const SetInfo* info = nullptr;
    for (size_t k = 0; k < std::size(kSets); ++k)
      if (set == kSets[k].name) set_id = k + 1, info = &kSets[k];
    if (!info)
      throw std::runtime_error("cohort.lesion_sets: unknown set '" + set + "' (tumor, ms, stroke, wmh, heterotopia)");
    const fs::path dir = root / "Test" / set;
    std::vector<size_t> test, val;
    const int n = cfg.n_test_per_set + cfg.n_val_per_set;
    for (int i = 0; i < n; ++i) {
      const bool is_test = i < cfg.n_test_per_set;
      PlannedSubject s = make(dir, numbered(set, i), set, is_test ? "test" : "val");
      s.seed = subject_seed(seed, set_id, is_test ? 0 : 1, uint64_t(is_test ? i : i - cfg.n_test_per_set));
      s.age = age(s.seed, info->age_lo, info->age_hi);
      (is_test ? test : val).push_back(plan.subjects.size());
      plan.subjects.push_back(s);
    }
    plan.splits.push_back({set + "_test", test});
    plan.splits.push_back({set + "_val", val});
  }
  return plan;
}

std::vector<SubjectRecord> split_rows(const CohortPlan& plan, const std::vector<size_t>& members) {
  std::vector<SubjectRecord> rows;
  for (size_t i : members) {
    const PlannedSubject& s = plan.subjects[i];
    SubjectRecord r;
    r.id = s.id;
    r.img_name = s.id;
    r.image = s.t1;
    r.mask = s.mask;
    r.seg = s.seg;
    r.label = s.set.empty() ? 0 : 1;
    r.age = s.age;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace p2l
