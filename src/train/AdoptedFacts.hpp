#pragma once
// A reader of a checkpoint (p2l-evaluate, its autoencoder maps) applies the model with the
// checkpoint's facts (train/ModelFacts.hpp), not with its own config: each fact's config key is
// set to the checkpoint's value, so the resolved config the reader writes shows what it used.
// A --config file's value gives way silently (a sweep point's checkpoint evaluates correctly
// with configs/default.yaml); a value the command line set (Config::overridden) that disagrees
// is an error naming both values. A checkpoint without facts keeps the config's values and the
// log says so.
#include <string>
#include <vector>

#include "train/ModelFacts.hpp"

namespace p2l {

struct Config;

struct AdoptedFacts {
  // For the log: one line per source ("... from checkpoint <path>: train.patch_fraction=0.125
  // ..." or "... from config (checkpoint <path> predates model facts): ..."), then what is known
  // of the training slices.
  std::vector<std::string> log;
  TrainedSlices slices;  // the slices the model was trained on; 0 x 0 when unknown
};

// model.* (architecture), train.patch_fraction and train.min_brain_fraction. Throws when the
// checkpoint at `checkpoint` holds the autoencoder.
AdoptedFacts adopt_patch2loc_facts(Config& cfg, const ModelFacts& facts, const std::string& checkpoint);
// ae.channels, ae.latent_channels and ae.min_brain_fraction. Throws when the checkpoint holds a
// Patch2Loc model.
AdoptedFacts adopt_autoencoder_facts(Config& cfg, const ModelFacts& facts, const std::string& checkpoint);

}  // namespace p2l
