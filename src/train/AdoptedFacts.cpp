#include "train/AdoptedFacts.hpp"

#include <set>
#include <stdexcept>
#include <utility>

#include "config/Config.hpp"

namespace p2l {
namespace {

// Sets a config's fact keys to a checkpoint's values one by one, collecting them for the log.
class Adoption {
 public:
  Adoption(Config& cfg, std::string checkpoint)
      : overridden_(cfg.overridden), schema_(cfg.schema()), checkpoint_(std::move(checkpoint)) {}

  // `field` is the config's value of `key`, `trained` the checkpoint's.
  template <class T>
  void adopt(const std::string& key, T& field, const T& trained) {
    const Schema::Field* f = schema_.find(key);
    if (!f) throw std::logic_error("model facts: no config key " + key);
    const T configured = field;
    const std::string configured_text = f->show();
    field = trained;
    if (field != configured && overridden_.count(key)) {
      const std::string trained_text = f->show();
      field = configured;
      throw std::runtime_error(key + ": the command line sets " + configured_text + " but checkpoint " + checkpoint_ +
                               " was trained with " + trained_text +
                               "; drop the override or evaluate another checkpoint");
    }
    values_ += (values_.empty() ? "" : ", ") + key + "=" + f->show();
  }
  const std::string& values() const { return values_; }

 private:
  const std::set<std::string>& overridden_;
  Schema schema_;  // points into the config
  std::string checkpoint_;
  std::string values_;
};

// `stored`: the checkpoint had facts (else the config's values were kept); `patches` describes
// the trained patches for the log ("" when there is nothing to say).
AdoptedFacts adopted(const std::string& model, const std::string& checkpoint, bool stored, const Adoption& a,
                     const TrainedSlices& slices, const std::string& patches) {
  AdoptedFacts out;
  if (!stored) {
    out.log.push_back(model + " settings from config (checkpoint " + checkpoint + " predates model facts): " +
                      a.values());
    out.log.push_back(model + " training slices unknown (checkpoint predates model facts): slice sizes not checked");
    return out;
  }
  out.log.push_back(model + " settings from checkpoint " + checkpoint + ": " + a.values());
  out.log.push_back(model + " trained on " + slices_text(slices) + patches + ": slices of another size fail");
  out.slices = slices;
  return out;
}

}  // namespace

AdoptedFacts adopt_patch2loc_facts(Config& cfg, const ModelFacts& facts, const std::string& checkpoint) {
  if (std::holds_alternative<AutoencoderFacts>(facts))
    throw std::runtime_error(checkpoint + ": holds the autoencoder baseline (p2l-train-ae), not a Patch2Loc model");
  const auto* stored = std::get_if<Patch2LocFacts>(&facts);
  // Without facts the config's own values are adopted: nothing changes, nothing conflicts.
  const Patch2LocFacts f = stored ? *stored : patch2loc_facts(cfg, TrainedSlices{});
  Adoption a(cfg, checkpoint);
  a.adopt("model.blocks", cfg.model.blocks, f.model.blocks);
  a.adopt("model.widths", cfg.model.widths, f.model.widths);
  a.adopt("model.head_widths", cfg.model.head_widths, f.model.head_widths);
  a.adopt("model.stem_kernel", cfg.model.stem_kernel, f.model.stem_kernel);
  a.adopt("model.stem_stride", cfg.model.stem_stride, f.model.stem_stride);
  a.adopt("model.stem_padding", cfg.model.stem_padding, f.model.stem_padding);
  a.adopt("model.embedding_base", cfg.model.embedding_base, f.model.embedding_base);
  a.adopt("train.patch_fraction", cfg.train.patch_fraction, f.patch_fraction);
  a.adopt("train.min_brain_fraction", cfg.train.min_brain_fraction, f.min_brain_fraction);
  return adopted("Patch2Loc", checkpoint, stored != nullptr, a, f.slices,
                 ", " + std::to_string(f.patch_side) + "-pixel patches");
}

AdoptedFacts adopt_autoencoder_facts(Config& cfg, const ModelFacts& facts, const std::string& checkpoint) {
  if (std::holds_alternative<Patch2LocFacts>(facts))
    throw std::runtime_error(checkpoint + ": holds a Patch2Loc model (p2l-train), not the autoencoder baseline");
  const auto* stored = std::get_if<AutoencoderFacts>(&facts);
  const AutoencoderFacts f = stored ? *stored : autoencoder_facts(cfg, TrainedSlices{});
  Adoption a(cfg, checkpoint);
  a.adopt("ae.channels", cfg.ae.channels, f.channels);
  a.adopt("ae.latent_channels", cfg.ae.latent_channels, f.latent_channels);
  a.adopt("ae.min_brain_fraction", cfg.ae.min_brain_fraction, f.min_brain_fraction);
  return adopted("autoencoder", checkpoint, stored != nullptr, a, f.slices, "");
}

}  // namespace p2l
