#pragma once
// What a trained model is beyond its weights: the architecture, the patch geometry and the slices
// it was trained on. Every checkpoint carries them as typed values (the nested archive "facts"),
// and every reader applies the model with them rather than with its own config
// (train/AdoptedFacts.hpp): a Patch2Loc encoder ends in global pooling, so a model trained on
// 12-pixel patches would accept 16-pixel ones silently. The config's YAML text in the checkpoint
// is a record for people; these are what code reads back.
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "config/ModelConfig.hpp"
#include "train/PackedSlices.hpp"

namespace p2l {

struct Config;

// The training split's slices.
struct TrainedSlices {
  int64_t height = 0, width = 0;        // H x W of every slice; 0: unknown
  std::array<double, 2> spacing{0, 0};  // PackedSlices::spacing (mm, along H and W)
};

struct Patch2LocFacts {
  // The architecture: model.blocks, widths, head_widths, stem_kernel, stem_stride, stem_padding
  // and embedding_base (the slice embedding). The other model.* keys are not facts and keep
  // their defaults here: mean_bias_init only initialises, valid_taps_only and channels_last
  // compute the same outputs from the same weights.
  ModelConfig model;
  double patch_fraction = 0;      // train.patch_fraction
  int64_t patch_side = 0;         // pixels: patch_side(patch_fraction, min(H, W)); 0: unknown
  double min_brain_fraction = 0;  // train.min_brain_fraction
  TrainedSlices slices;
};

struct AutoencoderFacts {
  std::vector<int> channels;      // ae.channels
  int latent_channels = 0;        // ae.latent_channels
  double min_brain_fraction = 0;  // ae.min_brain_fraction
  TrainedSlices slices;
};

// A checkpoint's facts; std::monostate for one written before checkpoints carried them.
using ModelFacts = std::variant<std::monostate, Patch2LocFacts, AutoencoderFacts>;

TrainedSlices trained_slices(const PackedSlices& packed);
// The facts of a model trained with `cfg` on `slices` (patch_side 0 when the slices are unknown).
Patch2LocFacts patch2loc_facts(const Config& cfg, const TrainedSlices& slices);
AutoencoderFacts autoencoder_facts(const Config& cfg, const TrainedSlices& slices);

// Adds `facts` to a checkpoint archive as its nested archive "facts" (nothing for std::monostate).
void write_model_facts(torch::serialize::OutputArchive& ar, const ModelFacts& facts);
// The facts of a checkpoint archive; std::monostate when it has none.
ModelFacts read_model_facts(torch::serialize::InputArchive& ar);

// What differs between the facts of a checkpoint and those of the run that resumes it, as
// "patch_fraction 0.125 in the checkpoint, 0.25 now; ..."; empty when they agree or when the
// checkpoint has none.
std::string fact_differences(const ModelFacts& checkpoint, const ModelFacts& now);

// "96 x 96 slices of 2 x 2 mm", for messages.
std::string slices_text(const TrainedSlices& s);
// Throws when slices of height x width are not those `model` ("Patch2Loc", "autoencoder") was
// trained on; slices of unknown size (an older checkpoint) are not checked.
void check_trained_slices(const TrainedSlices& trained, int64_t height, int64_t width, const std::string& model);

}  // namespace p2l
