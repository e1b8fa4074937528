// The model's facts in its checkpoint (train/ModelFacts.hpp) and how a reader adopts them
// (train/AdoptedFacts.hpp): typed values that come back equal, older checkpoints without them,
// the checkpoint over a config file's value, and an explicit command-line value that disagrees.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <string>
#include <variant>
#include <vector>

#include "config/Config.hpp"
#include "model/Patch2LocNet.hpp"
#include "support/ErrorOf.hpp"
#include "support/TempDir.hpp"
#include "train/AdoptedFacts.hpp"
#include "train/Checkpoint.hpp"
#include "train/ModelFacts.hpp"
#include "train/PackedSlices.hpp"

using namespace p2l;
using p2l::testing::error_of;
using p2l::testing::TempDir;

namespace {

const auto npos = std::string::npos;

// A tiny Patch2Loc model and patch geometry other than the defaults, so adopting them shows.
Config trained_config() {
  Config c;
  c.model.blocks = {1, 1, 1, 1};
  c.model.widths = {4, 8, 8, 16};
  c.model.head_widths = {8};
  c.model.stem_padding = 1;
  c.model.embedding_base = 500.0;
  c.train.patch_fraction = 0.25;
  c.train.min_brain_fraction = 0.3;
  c.ae.channels = {4, 8};
  c.ae.latent_channels = 3;
  c.ae.min_brain_fraction = 0.1;
  return c;
}

// 48 x 40 slices of 1.5 x 2 mm: 10-pixel patches at 0.25.
const TrainedSlices kSlices{48, 40, {1.5, 2.0}};

// A checkpoint of a tiny Patch2Loc model carrying `facts` (any module carries any facts).
std::string save_tiny(const std::string& path, const ModelFacts& facts) {
  Patch2LocNet net(trained_config().model);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  TrainingState s;
  s.facts = facts;
  save_checkpoint(path, *net, opt, s);
  return path;
}

}  // namespace

TEST(TrainModelFacts, Patch2LocFactsComeBackFromTheCheckpointEqual) {
  TempDir dir("p2l_model_facts");
  const Config cfg = trained_config();
  const std::string path = save_tiny(dir / "best.pt", patch2loc_facts(cfg, kSlices));
  const ModelFacts read = load_model_facts(path);
  const auto* f = std::get_if<Patch2LocFacts>(&read);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->model.blocks, cfg.model.blocks);
  EXPECT_EQ(f->model.widths, cfg.model.widths);
  EXPECT_EQ(f->model.head_widths, cfg.model.head_widths);
  EXPECT_EQ(f->model.stem_kernel, cfg.model.stem_kernel);
  EXPECT_EQ(f->model.stem_stride, cfg.model.stem_stride);
  EXPECT_EQ(f->model.stem_padding, 1);
  EXPECT_EQ(f->model.embedding_base, 500.0);
  EXPECT_EQ(f->patch_fraction, 0.25);
  EXPECT_EQ(f->patch_side, 10);  // patch_side(0.25, min(48, 40)), as the sampler
  EXPECT_EQ(f->min_brain_fraction, 0.3);
  EXPECT_EQ(f->slices.height, 48);
  EXPECT_EQ(f->slices.width, 40);
  EXPECT_EQ(f->slices.spacing, (std::array<double, 2>{1.5, 2.0}));
  // Resuming reads them as well.
  Patch2LocNet net(cfg.model);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  EXPECT_TRUE(std::holds_alternative<Patch2LocFacts>(load_checkpoint(path, *net, opt).facts));
}

TEST(TrainModelFacts, AutoencoderFactsComeBackFromTheCheckpointEqual) {
  TempDir dir("p2l_model_facts");
  const ModelFacts read = load_model_facts(save_tiny(dir / "ae.pt", autoencoder_facts(trained_config(), kSlices)));
  const auto* f = std::get_if<AutoencoderFacts>(&read);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->channels, (std::vector<int>{4, 8}));
  EXPECT_EQ(f->latent_channels, 3);
  EXPECT_EQ(f->min_brain_fraction, 0.1);
  EXPECT_EQ(f->slices.height, 48);
  EXPECT_EQ(f->slices.width, 40);
  EXPECT_EQ(f->slices.spacing, (std::array<double, 2>{1.5, 2.0}));
}

TEST(TrainModelFacts, ACheckpointWithoutFactsStillLoads) {
  TempDir dir("p2l_model_facts");
  const std::string path = save_tiny(dir / "old.pt", std::monostate{});  // as before facts were stored
  EXPECT_TRUE(std::holds_alternative<std::monostate>(load_model_facts(path)));
  Patch2LocNet net(trained_config().model);
  EXPECT_EQ(error_of([&] { load_model_weights(path, *net); }), "");
}

TEST(TrainModelFacts, TrainedSlicesAreTheFirstSubjectsSizeAndSpacing) {
  SubjectSlices s;
  s.id = "a", s.depth = 2, s.height = 4, s.width = 5;
  s.image.assign(40, 0.5f);
  s.mask.assign(40, 1);
  s.geom.spacing = {1.5, 2.0, 3.0};
  const TrainedSlices t = trained_slices(pack_slices({s}));
  EXPECT_EQ(t.height, 4);
  EXPECT_EQ(t.width, 5);
  EXPECT_EQ(t.spacing, (std::array<double, 2>{1.5, 2.0}));
}

TEST(TrainModelFacts, CheckpointValuesReplaceTheConfigFilesValues) {
  const Config trained = trained_config();
  Config cfg;  // as from configs/default.yaml: nothing set on the command line
  cfg.apply_yaml("train:\n  patch_fraction: 0.125\nmodel:\n  valid_taps_only: false\n", "default.yaml");
  const AdoptedFacts a = adopt_patch2loc_facts(cfg, patch2loc_facts(trained, kSlices), "run/best.pt");
  EXPECT_EQ(cfg.train.patch_fraction, 0.25);
  EXPECT_EQ(cfg.train.min_brain_fraction, 0.3);
  EXPECT_EQ(cfg.model.blocks, trained.model.blocks);
  EXPECT_EQ(cfg.model.widths, trained.model.widths);
  EXPECT_EQ(cfg.model.head_widths, trained.model.head_widths);
  EXPECT_EQ(cfg.model.stem_padding, 1);
  EXPECT_EQ(cfg.model.embedding_base, 500.0);
  EXPECT_FALSE(cfg.model.valid_taps_only) << "not a fact: the reader's choice stays";
  EXPECT_EQ(a.slices.height, 48);
  EXPECT_EQ(a.slices.width, 40);
  ASSERT_EQ(a.log.size(), 2u);
  EXPECT_NE(a.log[0].find("from checkpoint run/best.pt"), npos) << a.log[0];
  EXPECT_NE(a.log[0].find("train.patch_fraction=0.25"), npos) << a.log[0];
  EXPECT_NE(a.log[0].find("model.widths=[4, 8, 8, 16]"), npos) << a.log[0];
  EXPECT_NE(a.log[1].find("48 x 40 slices of 1.5 x 2 mm, 10-pixel patches"), npos) << a.log[1];
  EXPECT_NE(cfg.to_yaml().find("patch_fraction: 0.25"), npos) << "the resolved config shows what is used";

  Config ae;
  const AdoptedFacts b = adopt_autoencoder_facts(ae, autoencoder_facts(trained, kSlices), "run/ae/best.pt");
  EXPECT_EQ(ae.ae.channels, (std::vector<int>{4, 8}));
  EXPECT_EQ(ae.ae.latent_channels, 3);
  EXPECT_EQ(ae.ae.min_brain_fraction, 0.1);
  EXPECT_EQ(b.slices.width, 40);
}

TEST(TrainModelFacts, ACommandLineValueThatDisagreesIsAnErrorNamingBoth) {
  const Config trained = trained_config();
  Config cfg;
  cfg.apply_override("train.patch_fraction=0.125");
  std::string e = error_of([&] { adopt_patch2loc_facts(cfg, patch2loc_facts(trained, kSlices), "run/best.pt"); });
  EXPECT_NE(e.find("train.patch_fraction: the command line sets 0.125 but checkpoint run/best.pt was trained with 0.25"),
            npos) << e;
  EXPECT_EQ(cfg.train.patch_fraction, 0.125) << "the rejected value is not applied";

  Config ae;
  ae.apply_override("ae.latent_channels=5");
  e = error_of([&] { adopt_autoencoder_facts(ae, autoencoder_facts(trained, kSlices), "run/ae/best.pt"); });
  EXPECT_NE(e.find("ae.latent_channels: the command line sets 5 but checkpoint run/ae/best.pt was trained with 3"),
            npos) << e;
}

TEST(TrainModelFacts, ACommandLineValueThatAgreesIsFine) {
  Config cfg;
  cfg.apply_override("train.patch_fraction=0.25");
  cfg.apply_override("model.widths=[4, 8, 8, 16]");
  EXPECT_EQ(error_of([&] { adopt_patch2loc_facts(cfg, patch2loc_facts(trained_config(), kSlices), "run/best.pt"); }), "");
  EXPECT_EQ(cfg.model.blocks, trained_config().model.blocks);
}

TEST(TrainModelFacts, WithoutFactsTheConfigsValuesStayAndTheLogSaysSo) {
  Config cfg;
  cfg.apply_override("train.patch_fraction=0.125");
  const AdoptedFacts a = adopt_patch2loc_facts(cfg, std::monostate{}, "old/best.pt");
  EXPECT_EQ(cfg.train.patch_fraction, 0.125);
  EXPECT_EQ(cfg.model.widths, Config().model.widths);
  EXPECT_EQ(a.slices.height, 0) << "unknown: slice sizes are not checked";
  ASSERT_EQ(a.log.size(), 2u);
  EXPECT_NE(a.log[0].find("from config (checkpoint old/best.pt predates model facts)"), npos) << a.log[0];
  EXPECT_NE(a.log[0].find("train.patch_fraction=0.125"), npos) << a.log[0];
}

TEST(TrainModelFacts, OneModelsCheckpointIsNotReadAsTheOther) {
  Config cfg;
  const Config trained = trained_config();
  EXPECT_NE(error_of([&] { adopt_patch2loc_facts(cfg, autoencoder_facts(trained, kSlices), "ae.pt"); })
                .find("ae.pt: holds the autoencoder"),
            npos);
  EXPECT_NE(error_of([&] { adopt_autoencoder_facts(cfg, patch2loc_facts(trained, kSlices), "p.pt"); })
                .find("p.pt: holds a Patch2Loc model"),
            npos);
}

TEST(TrainModelFacts, SlicesOfAnotherSizeThanTrainedAreRefused) {
  EXPECT_EQ(error_of([] { check_trained_slices(kSlices, 48, 40, "Patch2Loc"); }), "");
  const std::string e = error_of([] { check_trained_slices(kSlices, 40, 48, "Patch2Loc"); });
  EXPECT_NE(e.find("slices are 40 x 48 but the Patch2Loc checkpoint was trained on 48 x 40 slices"), npos) << e;
  EXPECT_EQ(error_of([] { check_trained_slices(TrainedSlices{}, 40, 48, "Patch2Loc"); }), "") << "unknown: not checked";
}
