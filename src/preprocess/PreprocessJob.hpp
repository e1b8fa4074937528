#pragma once
// The p2l-preprocess job: every rank of an MPI world runs run_preprocess_job; subjects
// of all splits are balanced over ranks by voxel count, each rank writes its own shard files,
// rank 0 gathers the outcomes and writes the manifest. A rerun reuses stored subjects whose
// input checksums and config hash match.
#include <string>
#include <vector>

#include "config/Config.hpp"

namespace p2l {

class World;

struct PreprocessSummary {
  long total = 0, stored = 0, reused = 0, failed = 0;
  long skipped = 0;  // split rows left out on purpose (data.keep_list, repeated ids): not in total
  double seconds = 0;
};

// preprocess.splits when set, else train, val, healthy test and <Set>_val, <Set>_test per set
// (a missing <Set>_val is left out later, preprocess/SplitRows.hpp).
std::vector<std::string> splits_to_preprocess(const Config& cfg);

// Hash of everything that changes the stored arrays: the preprocess keys except bookkeeping
// (splits, compression, shard size, tolerance), data.modality and the standard landmarks.
std::string preprocess_config_hash(Config& cfg, const std::vector<double>& standard_landmarks);

// Collective over `world` (dist/World.hpp). Per-subject failures are counted in the summary (and
// written to the manifest); job-level errors throw (the caller aborts the world). Same summary on
// all ranks.
PreprocessSummary run_preprocess_job(Config& cfg, World& world);

}  // namespace p2l
