#pragma once
// Generates the default cohort (SPEC section 10) into DATA_DIR: NIfTI volumes in the layout of
// the real data, split CSVs, PNG previews, a log and DATA_DIR/cohort_config.yaml. A rerun with
// the same cohort settings and all files present does nothing.
#include <string>
#include <vector>

namespace p2l {

struct Config;

struct CohortSummary {
  bool reused = false;              // everything was already there
  size_t subjects = 0, healthy = 0;
  std::vector<std::pair<std::string, size_t>> sets;  // lesion set -> subjects
  size_t splits = 0, previews = 0;
  std::vector<std::string> errors;  // one per failed subject or file
  double seconds = 0;
  std::string grid;                 // e.g. "78 x 96 x 82 voxels of 2 mm"
};

// The regeneration key written to DATA_DIR/cohort_config.yaml: the resolved `cohort` section.
std::string cohort_config_text(Config& cfg);

// Generates the cohort on cpu_threads(run.threads, 1) threads; the bytes do not depend on them.
CohortSummary generate_cohort(Config& cfg);

}  // namespace p2l
