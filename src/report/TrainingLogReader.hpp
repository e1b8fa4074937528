#pragma once
// Reads a train_log.jsonl written by train/TrainingLog into plain series for the training-curve
// figure. Step lines: {"step", "loss", ..., "wall_seconds"}; validation lines: {"step",
// "val_loss", "val_<error_key>", "val_chance_error", "wall_seconds", "best"}.
//
// A resumed run appends to the same file and repeats the steps after its checkpoint: the last
// line of a step wins (step lines and validation lines separately). wall_seconds restarts with
// every process: a value below the previous line's starts a new segment, offset by the previous
// segment's last value, so wall time is summed over the runs. Lines that are not a flat JSON
// object with a numeric "step" (e.g. a last line cut short by a crash) are skipped and counted.
#include <cstddef>
#include <map>
#include <string>

#include "report/TrainingFigures.hpp"

namespace p2l {

// Throws naming the path when the file cannot be opened.
TrainingSeries read_training_log(const std::string& path, size_t* skipped_lines = nullptr);

// One flat JSON object: numbers as they are, true/false as 1/0, null as NaN; strings are left out.
// Returns false (and leaves `out` unspecified) on anything else.
bool parse_flat_json(const std::string& line, std::map<std::string, double>& out);

}  // namespace p2l
