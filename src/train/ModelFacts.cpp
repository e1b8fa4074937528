#include "train/ModelFacts.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "config/Config.hpp"
#include "model/PatchExtractor.hpp"

namespace p2l {
namespace {

// The "kind" entry: which model the facts describe, so a checkpoint of one model is never
// read as the other.
constexpr const char* kPatch2Loc = "patch2loc";
constexpr const char* kAutoencoder = "autoencoder";

c10::IValue list_value(const std::vector<int>& v) { return c10::IValue(std::vector<int64_t>(v.begin(), v.end())); }

c10::IValue value(torch::serialize::InputArchive& ar, const std::string& key) {
  c10::IValue v;
  ar.read(key, v);
  return v;
}

std::vector<int> read_ints(torch::serialize::InputArchive& ar, const std::string& key) {
  const std::vector<int64_t> v = value(ar, key).toIntVector();
  return std::vector<int>(v.begin(), v.end());
}

void write_slices(torch::serialize::OutputArchive& ar, const TrainedSlices& s) {
  ar.write("slice_height", c10::IValue(s.height));
  ar.write("slice_width", c10::IValue(s.width));
  ar.write("spacing", c10::IValue(std::vector<double>{s.spacing[0], s.spacing[1]}));
}

TrainedSlices read_slices(torch::serialize::InputArchive& ar) {
  TrainedSlices s;
  s.height = value(ar, "slice_height").toInt();
  s.width = value(ar, "slice_width").toInt();
  const std::vector<double> spacing = value(ar, "spacing").toDoubleVector();
  if (spacing.size() != 2) throw std::runtime_error("facts: spacing must hold 2 values");
  s.spacing = {spacing[0], spacing[1]};
  return s;
}

}  // namespace

TrainedSlices trained_slices(const PackedSlices& packed) { return {packed.height, packed.width, packed.spacing}; }

Patch2LocFacts patch2loc_facts(const Config& cfg, const TrainedSlices& slices) {
  Patch2LocFacts f;
  const ModelConfig& m = cfg.model;
  f.model.blocks = m.blocks, f.model.widths = m.widths, f.model.head_widths = m.head_widths;
  f.model.stem_kernel = m.stem_kernel, f.model.stem_stride = m.stem_stride, f.model.stem_padding = m.stem_padding;
  f.model.embedding_base = m.embedding_base;
  f.patch_fraction = cfg.train.patch_fraction;
  f.patch_side = slices.height > 0 ? patch_side(f.patch_fraction, std::min(slices.height, slices.width)) : 0;
  f.min_brain_fraction = cfg.train.min_brain_fraction;
  f.slices = slices;
  return f;
}

AutoencoderFacts autoencoder_facts(const Config& cfg, const TrainedSlices& slices) {
  AutoencoderFacts f;
  f.channels = cfg.ae.channels;
  f.latent_channels = cfg.ae.latent_channels;
  f.min_brain_fraction = cfg.ae.min_brain_fraction;
  f.slices = slices;
  return f;
}

void write_model_facts(torch::serialize::OutputArchive& ar, const ModelFacts& facts) {
  torch::serialize::OutputArchive f;
  if (const auto* p = std::get_if<Patch2LocFacts>(&facts)) {
    f.write("kind", c10::IValue(std::string(kPatch2Loc)));
    f.write("blocks", list_value(p->model.blocks));
    f.write("widths", list_value(p->model.widths));
    f.write("head_widths", list_value(p->model.head_widths));
    f.write("stem_kernel", c10::IValue(int64_t(p->model.stem_kernel)));
    f.write("stem_stride", c10::IValue(int64_t(p->model.stem_stride)));
    f.write("stem_padding", c10::IValue(int64_t(p->model.stem_padding)));
    f.write("embedding_base", c10::IValue(p->model.embedding_base));
    f.write("patch_fraction", c10::IValue(p->patch_fraction));
    f.write("patch_side", c10::IValue(p->patch_side));
    f.write("min_brain_fraction", c10::IValue(p->min_brain_fraction));
    write_slices(f, p->slices);
  } else if (const auto* a = std::get_if<AutoencoderFacts>(&facts)) {
    f.write("kind", c10::IValue(std::string(kAutoencoder)));
    f.write("channels", list_value(a->channels));
    f.write("latent_channels", c10::IValue(int64_t(a->latent_channels)));
    f.write("min_brain_fraction", c10::IValue(a->min_brain_fraction));
    write_slices(f, a->slices);
  } else {
    return;  // std::monostate: nothing is known
  }
  ar.write("facts", f);
}

ModelFacts read_model_facts(torch::serialize::InputArchive& ar) {
  torch::serialize::InputArchive f;
  if (!ar.try_read("facts", f)) return std::monostate{};
  const std::string kind = value(f, "kind").toStringRef();
  if (kind == kPatch2Loc) {
    Patch2LocFacts p;
    p.model.blocks = read_ints(f, "blocks");
    p.model.widths = read_ints(f, "widths");
    p.model.head_widths = read_ints(f, "head_widths");
    p.model.stem_kernel = int(value(f, "stem_kernel").toInt());
    p.model.stem_stride = int(value(f, "stem_stride").toInt());
    p.model.stem_padding = int(value(f, "stem_padding").toInt());
    p.model.embedding_base = value(f, "embedding_base").toDouble();
    p.patch_fraction = value(f, "patch_fraction").toDouble();
    p.patch_side = value(f, "patch_side").toInt();
    p.min_brain_fraction = value(f, "min_brain_fraction").toDouble();
    p.slices = read_slices(f);
    return p;
  }
  if (kind == kAutoencoder) {
    AutoencoderFacts a;
    a.channels = read_ints(f, "channels");
    a.latent_channels = int(value(f, "latent_channels").toInt());
    a.min_brain_fraction = value(f, "min_brain_fraction").toDouble();
    a.slices = read_slices(f);
    return a;
  }
  throw std::runtime_error("facts of an unknown kind of model '" + kind + "'");
}

namespace {

std::string ints_text(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string number_text(double x) {
  std::ostringstream os;
  os.precision(17);
  os << x;
  return os.str();
}

// Every fact as (name, value text), in a fixed order.
std::vector<std::pair<std::string, std::string>> fact_fields(const ModelFacts& facts) {
  if (const auto* p = std::get_if<Patch2LocFacts>(&facts))
    return {{"model", kPatch2Loc},
            {"model.blocks", ints_text(p->model.blocks)},
            {"model.widths", ints_text(p->model.widths)},
            {"model.head_widths", ints_text(p->model.head_widths)},
            {"model.stem_kernel", std::to_string(p->model.stem_kernel)},
            {"model.stem_stride", std::to_string(p->model.stem_stride)},
            {"model.stem_padding", std::to_string(p->model.stem_padding)},
            {"model.embedding_base", number_text(p->model.embedding_base)},
            {"train.patch_fraction", number_text(p->patch_fraction)},
            {"patch side", std::to_string(p->patch_side)},
            {"train.min_brain_fraction", number_text(p->min_brain_fraction)},
            {"slices", slices_text(p->slices)}};
  if (const auto* a = std::get_if<AutoencoderFacts>(&facts))
    return {{"model", kAutoencoder},
            {"ae.channels", ints_text(a->channels)},
            {"ae.latent_channels", std::to_string(a->latent_channels)},
            {"ae.min_brain_fraction", number_text(a->min_brain_fraction)},
            {"slices", slices_text(a->slices)}};
  return {};
}

}  // namespace

std::string fact_differences(const ModelFacts& checkpoint, const ModelFacts& now) {
  const auto was = fact_fields(checkpoint), is = fact_fields(now);
  if (was.empty()) return "";
  std::string out;
  for (size_t i = 0; i < std::max(was.size(), is.size()); ++i) {
    const std::string name = i < was.size() ? was[i].first : is[i].first;
    const std::string a = i < was.size() ? was[i].second : "(none)", b = i < is.size() ? is[i].second : "(none)";
    if (a != b) out += (out.empty() ? "" : "; ") + name + " " + a + " in the checkpoint, " + b + " now";
  }
  return out;
}

std::string slices_text(const TrainedSlices& s) {
  std::ostringstream os;
  os << s.height << " x " << s.width << " slices of " << s.spacing[0] << " x " << s.spacing[1] << " mm";
  return os.str();
}

void check_trained_slices(const TrainedSlices& trained, int64_t height, int64_t width, const std::string& model) {
  if (trained.height == 0 || (height == trained.height && width == trained.width)) return;
  throw std::runtime_error("slices are " + std::to_string(height) + " x " + std::to_string(width) + " but the " +
                           model + " checkpoint was trained on " + slices_text(trained) +
                           "; it applies only to data preprocessed like its training data (preprocess.image_dim, "
                           "preprocess.rescale_factor)");
}

}  // namespace p2l
