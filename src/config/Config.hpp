#pragma once
// The whole resolved configuration of a run: one struct per pipeline stage.
#include <set>
#include <string>
#include <vector>

#include "config/BaselineConfig.hpp"
#include "config/CohortConfig.hpp"
#include "config/DataConfig.hpp"
#include "config/EvalConfig.hpp"
#include "config/ModelConfig.hpp"
#include "config/PreprocessConfig.hpp"
#include "config/RunConfig.hpp"
#include "config/Schema.hpp"
#include "config/TrainConfig.hpp"

namespace p2l {

struct Config {
  RunConfig run;
  DataConfig data;
  CohortConfig cohort;
  PreprocessConfig preprocess;
  ModelConfig model;
  TrainConfig train;
  EvalConfig eval;
  ZScoreConfig zscore;
  AutoencoderConfig ae;
  // The keys set by apply_override (a command line's section.key=value), by their current
  // names: what the user chose on purpose, so a checkpoint's facts that disagree with one are an
  // error (train/AdoptedFacts.hpp) where a --config file's value simply gives way.
  std::set<std::string> overridden;

  // Binds every key to this object's fields (the schema points into *this).
  Schema schema();

  // Applies a YAML document (file contents); unknown keys and bad values throw.
  void apply_yaml(const std::string& text, const std::string& origin);
  // Applies one "section.key=value" override; the value is parsed as YAML. Adds the key to
  // `overridden`.
  void apply_override(const std::string& assignment);
  // The fully resolved config as YAML, every key with its doc as a comment.
  std::string to_yaml();
  // Writes to_yaml() to `path` atomically.
  void write(const std::string& path);
};

// Parses `--config FILE`, `section.key=value` overrides and `--help` for an executable.
// Prints usage and exits on --help; throws std::runtime_error on errors.
Config parse_command_line(int argc, char** argv, const std::string& tool, const std::string& about);

}  // namespace p2l
