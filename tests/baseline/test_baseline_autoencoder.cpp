// The slice autoencoder baseline: shapes (with and without padding), the residual map, one
// training step on the shared data-parallel loop, checkpoints and input checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "baseline/AutoencoderTrainer.hpp"
#include "baseline/SliceAutoencoder.hpp"
#include "dist/Communicator.hpp"
#include "support/ErrorOf.hpp"
#include "train/Checkpoint.hpp"
#include "train/SyntheticBrain.hpp"

using namespace p2l;
using namespace p2l::testing;
namespace fs = std::filesystem;

namespace {

Communicator& single() {
  static Communicator c(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(10));
  return c;
}

Config small_ae_config(const std::string& name) {
  Config c = small_training_config((fs::temp_directory_path() / ("p2l_ae_" + name + "_" + std::to_string(getpid()))).string());
  fs::remove_all(c.run.output_dir);
  c.train.precision = Precision::kFp32;
  c.ae.channels = {4, 8};
  c.ae.latent_channels = 4;
  c.ae.slices_per_step = 8;
  c.ae.val_slices = 8;
  c.ae.steps = 4;
  c.ae.val_every = 2;
  c.ae.checkpoint_every = 2;
  c.ae.log_every = 2;
  c.ae.warmup_steps = 0;
  return c;
}

}  // namespace

TEST(BaselineAutoencoder, OutputHasTheInputShapeWithAndWithoutPadding) {
  AutoencoderConfig cfg;
  cfg.channels = {4, 8, 8};
  cfg.latent_channels = 2;
  SliceAutoencoder net(cfg);
  EXPECT_EQ(net->forward(torch::rand({3, 1, 32, 32})).sizes(), (std::vector<int64_t>{3, 1, 32, 32}));
  // 20 x 28 does not divide by 2^3: padded to 24 x 32 inside, cropped back.
  EXPECT_EQ(net->forward(torch::rand({2, 1, 20, 28})).sizes(), (std::vector<int64_t>{2, 1, 20, 28}));
}

TEST(BaselineAutoencoder, ResidualMapIsAbsoluteErrorInsideTheBrain) {
  AutoencoderConfig cfg;
  cfg.channels = {4};
  cfg.latent_channels = 2;
  SliceAutoencoder net(cfg);
  SubjectSlices s = synthetic_subject("r", 3, 16, 1);
  const std::vector<float> r = residual_map(net, s, torch::Device(torch::kCPU), 2);
  ASSERT_EQ(r.size(), s.image.size());
  // The same reconstruction computed directly.
  net->eval();
  torch::NoGradGuard no_grad;
  auto x = torch::from_blob(s.image.data(), {3, 1, 16, 16}, torch::kFloat32).clone();
  auto expect = (x - net->forward(x)).abs();
  size_t inside = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    if (!s.mask[i]) {
      EXPECT_EQ(r[i], 0.0f);
      continue;
    }
    ++inside;
    EXPECT_NEAR(r[i], expect.view(-1)[int64_t(i)].item<float>(), 1e-5);
  }
  EXPECT_GT(inside, 0u);
}

TEST(BaselineAutoencoder, OneStepOnAFixedBatchLowersItsLoss) {
  Config cfg = small_ae_config("step");
  cfg.ae.lr = 1e-3;
  AutoencoderTrainer t(cfg, single(), {synthetic_split("tr", 3, 10), synthetic_split("va", 2, 50)});
  const auto subjects = synthetic_split("b", 1, 3, 8, 32);
  auto x = torch::from_blob(const_cast<float*>(subjects[0].image.data()), {8, 1, 32, 32}, torch::kFloat32).clone();
  auto m = torch::from_blob(const_cast<uint8_t*>(subjects[0].mask.data()), {8, 1, 32, 32}, torch::kUInt8).to(torch::kFloat32);
  t.model()->eval();  // fixed BatchNorm statistics, so the loss before and after is comparable
  const double before = t.loss(x, m).item<double>();
  t.train_step(x, m);
  const double after = t.loss(x, m).item<double>();
  EXPECT_LT(after, before);
}

TEST(BaselineAutoencoder, TrainsWritesCheckpointsAndResumes) {
  Config cfg = small_ae_config("run");
  {
    AutoencoderTrainer t(cfg, single(), {synthetic_split("tr", 3, 10), synthetic_split("va", 2, 50)});
    TrainOutcome out = t.run();
    EXPECT_EQ(out.step, 4);
    EXPECT_GT(out.last_validation.chance_error, 0.0);
    EXPECT_TRUE(fs::exists(autoencoder_checkpoint(cfg)));
    EXPECT_TRUE(fs::exists(cfg.run.output_dir + "/ae/train.log"));
  }
  // The checkpoint loads into a fresh autoencoder of the same shape, and a rerun resumes at the end.
  SliceAutoencoder fresh(cfg.ae);
  load_model_weights(autoencoder_checkpoint(cfg), *fresh);
  // Its facts (train/ModelFacts.hpp) say what p2l-evaluate builds and on which slices.
  const ModelFacts facts = load_model_facts(autoencoder_checkpoint(cfg));
  const auto* ae = std::get_if<AutoencoderFacts>(&facts);
  ASSERT_NE(ae, nullptr);
  EXPECT_EQ(ae->channels, (std::vector<int>{4, 8}));
  EXPECT_EQ(ae->latent_channels, 4);
  EXPECT_EQ(ae->slices.height, 32);
  EXPECT_EQ(ae->slices.width, 32);
  AutoencoderTrainer again(cfg, single(), {synthetic_split("tr", 3, 10), synthetic_split("va", 2, 50)});
  EXPECT_EQ(again.run().resumed_from, 4);
  fs::remove_all(cfg.run.output_dir);
}

TEST(BaselineAutoencoder, RejectsBadDataBeforeTraining) {
  Config cfg = small_ae_config("bad");
  const std::string empty = error_of([&] { AutoencoderTrainer t(cfg, single(), {{}, synthetic_split("va", 1, 1)}); });
  EXPECT_NE(empty.find("data.train_split"), std::string::npos) << empty;
  TrainingData mixed{synthetic_split("tr", 2, 10), synthetic_split("va", 1, 50)};
  mixed.val.push_back(synthetic_subject("odd", 8, 40, 3));
  const std::string odd = error_of([&] { AutoencoderTrainer t(cfg, single(), mixed); });
  EXPECT_NE(odd.find("subject 'odd'"), std::string::npos) << odd;
  cfg.ae.min_brain_fraction = 1.0;  // no slice is all brain
  const std::string none = error_of([&] { AutoencoderTrainer t(cfg, single(), {synthetic_split("tr", 2, 10), synthetic_split("va", 1, 50)}); });
  EXPECT_NE(none.find("ae.min_brain_fraction"), std::string::npos) << none;
}
