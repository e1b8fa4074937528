#include "cohort/CohortGenerator.hpp"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cohort/CohortPlan.hpp"
#include "cohort/CohortPreview.hpp"
#include "io/ProgressMeter.hpp"
#include "cohort/SubjectSynthesizer.hpp"
#include "cohort/TissueModel.hpp"
#include "config/Config.hpp"
#include "config/CpuThreads.hpp"
#include "io/AtomicFile.hpp"
#include "io/Nifti.hpp"

namespace fs = std::filesystem;

namespace p2l {
namespace {

// Bump when the generator's output changes for the same settings, so old cohorts are rebuilt.
constexpr int kGeneratorVersion = 1;

fs::path preview_path(const fs::path& root, const std::string& set) { return root / "previews" / (set + ".png"); }

// The sets of the previews: healthy ("ixi") first, then each lesion set.
std::vector<std::string> preview_sets(const CohortConfig& c) {
  std::vector<std::string> sets{"ixi"};
  if (c.preview_slices > 0) sets.insert(sets.end(), c.lesion_sets.begin(), c.lesion_sets.end());
  else sets.clear();
  return sets;
}

// Every file the cohort consists of (the completeness check of a rerun).
std::vector<fs::path> expected_files(const CohortPlan& plan, const CohortConfig& c, const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& s : plan.subjects) {
    files.insert(files.end(), {s.t1, s.t2, s.mask});
    if (!s.seg.empty()) files.push_back(s.seg);
  }
  for (const auto& sp : plan.splits) files.push_back(root / "splits" / (sp.first + ".csv"));
  for (const auto& set : preview_sets(c)) files.push_back(preview_path(root, set));
  return files;
}

// The model depends only on (template_dir, voxel_mm) and takes seconds to build; keep the last
// one so repeated generations in one process (tests, reruns) pay once.
std::shared_ptr<const TissueModel> cached_model(const std::string& dir, double voxel_mm) {
  static std::mutex mutex;
  static std::string key;
  static std::shared_ptr<const TissueModel> model;
  std::lock_guard<std::mutex> lock(mutex);
  const std::string k = dir + "|" + std::to_string(voxel_mm);
  if (!model || k != key) model = std::make_shared<const TissueModel>(TissueModel::load(dir, voxel_mm)), key = k;
  return model;
}

}  // namespace

std::string cohort_config_text(Config& cfg) {
  std::istringstream all(cfg.to_yaml());
  std::ostringstream out;
  out << "# Patch2Loc default cohort (generator version " << kGeneratorVersion << ")\n";
  std::string line;
  bool in_section = false;
  while (std::getline(all, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_section = line == "cohort:";
    if (in_section) out << line << "\n";
  }
  return out.str();
}

CohortSummary generate_cohort(Config& cfg) {
  const auto start = std::chrono::steady_clock::now();
  const CohortConfig& c = cfg.cohort;
  const fs::path root = fs::absolute(cfg.data.data_dir);
  const fs::path config_path = root / "cohort_config.yaml";
  const std::string key = cohort_config_text(cfg);
  CohortPlan plan = plan_cohort(c, root.string());

  CohortSummary sum;
  sum.subjects = plan.subjects.size();
  for (const auto& s : plan.subjects) {
    if (s.set.empty()) {
      ++sum.healthy;
      continue;
    }
    if (sum.sets.empty() || sum.sets.back().first != s.set) sum.sets.push_back({s.set, 0});
    ++sum.sets.back().second;
  }
  sum.splits = plan.splits.size();
  sum.previews = preview_sets(c).size();

  const auto files = expected_files(plan, c, root);
  if (fs::exists(config_path) && read_file_if_present(config_path.string()).value_or("") == key &&
      std::all_of(files.begin(), files.end(), [](const fs::path& p) { return fs::exists(p); })) {
    sum.reused = true;
    return sum;
  }
  // Until the run completes, the folder must not look like a finished cohort.
  fs::remove(config_path);

  const auto shared_model = cached_model(c.template_dir, c.voxel_mm);
  const TissueModel& model = *shared_model;
  {
    std::ostringstream g;
    g << model.geom.size[0] << " x " << model.geom.size[1] << " x " << model.geom.size[2] << " voxels of "
      << c.voxel_mm << " mm";
    sum.grid = g.str();
  }

  // Preview rows: the first subjects of the healthy pool and of each lesion set's test split.
  const auto sets = preview_sets(c);
  std::vector<int> preview_slot(plan.subjects.size(), -1);
  std::vector<std::vector<size_t>> preview_members(sets.size());
  for (size_t i = 0; i < plan.subjects.size(); ++i) {
    const auto& s = plan.subjects[i];
    const std::string set = s.set.empty() ? "ixi" : s.set;
    for (size_t p = 0; p < sets.size(); ++p)
      if (sets[p] == set && int(preview_members[p].size()) < c.preview_subjects &&
          (s.split == "pool" || s.split == "test"))
        preview_slot[i] = int(p), preview_members[p].push_back(i);
  }
  std::vector<RgbImage> rows(plan.subjects.size());
  std::vector<std::string> errors(plan.subjects.size()), log(plan.subjects.size());

  const tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                                  size_t(cpu_threads(cfg.run.threads, 1)));
  ProgressMeter progress("p2l-make-cohort: subjects", long(plan.subjects.size()), cfg.run.progress_seconds, std::cerr);
  tbb::parallel_for(size_t(0), plan.subjects.size(), [&](size_t i) {
    const PlannedSubject& ps = plan.subjects[i];
    const auto t0 = std::chrono::steady_clock::now();
    try {
      SyntheticSubject s = synthesize_subject(model, c, lesion_kind(ps.set), ps.seed);
      write_nifti(ps.t1, s.t1);
      write_nifti(ps.t2, s.t2);
      write_nifti(ps.mask, s.mask);
      size_t lesion_voxels = 0;
      if (!ps.seg.empty()) {
        write_nifti(ps.seg, s.seg);
        for (uint8_t v : s.seg.data) lesion_voxels += v != 0;
      }
      if (preview_slot[i] >= 0) {
        std::ostringstream label;
        label << ps.id << "  AGE " << int(ps.age);
        if (!ps.set.empty()) label << "  " << s.lesions.count() << " LESION(S)";
        rows[i] = preview_row(s, label.str(), c.preview_slices);
      }
      std::ostringstream line;
      line << ps.id << " set=" << (ps.set.empty() ? "healthy" : ps.set) << " split=" << ps.split
           << " age=" << int(ps.age) << " lesions=" << s.lesions.count() << " lesion_ml="
           << lesion_voxels * c.voxel_mm * c.voxel_mm * c.voxel_mm / 1000.0 << " seconds="
           << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      log[i] = line.str();
    } catch (const std::exception& e) {
      errors[i] = ps.id + ": " + e.what();
      log[i] = ps.id + " FAILED: " + e.what();
    }
    progress.tick();
  });
  for (const auto& e : errors)
    if (!e.empty()) sum.errors.push_back(e);

  for (const auto& sp : plan.splits) {
    try {
      write_split_file(root.string(), (root / "splits" / (sp.first + ".csv")).string(), split_rows(plan, sp.second));
    } catch (const std::exception& e) {
      sum.errors.push_back(e.what());
    }
  }
  for (size_t p = 0; p < sets.size(); ++p) {
    std::vector<RgbImage> set_rows;
    for (size_t i : preview_members[p])
      if (rows[i].width > 0) set_rows.push_back(rows[i]);
    try {
      write_preview(preview_path(root, sets[p]).string(),
                    sets[p] + ": T1 | T2, lesions outlined", set_rows);
    } catch (const std::exception& e) {
      sum.errors.push_back(e.what());
    }
  }
  std::ostringstream logtext;
  for (const auto& l : log) logtext << l << "\n";
  write_file_atomic((root / "cohort.log").string(), logtext.str());
  // Written last: its presence with identical content marks a complete cohort.
  if (sum.errors.empty()) write_file_atomic(config_path.string(), key);
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

}  // namespace p2l
