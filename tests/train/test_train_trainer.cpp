// The Trainer on in-memory synthetic subjects (one process): input checks, outputs, exact
// resume, preemption by SIGTERM and corrupt checkpoints.
#include <gtest/gtest.h>

#include "support/ErrorOf.hpp"
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "SyntheticBrain.hpp"
#include "dist/Communicator.hpp"
#include "train/Checkpoint.hpp"
#include "train/PreemptionSignal.hpp"
#include "train/Trainer.hpp"

using namespace p2l;
using namespace p2l::testing;
namespace fs = std::filesystem;

using p2l::testing::error_of;

namespace {

std::string fresh_dir(const std::string& name) {
  std::string d = (fs::temp_directory_path() / ("p2l_trainer_" + name + "_" + std::to_string(getpid()))).string();
  fs::remove_all(d);
  return d;
}

TrainingData small_data() { return {synthetic_split("tr", 4, 10), synthetic_split("va", 2, 50)}; }

Communicator& single() {
  static Communicator c(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(10));
  return c;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(TrainTrainer, RejectsBadDataBeforeTraining) {
  Config cfg = small_training_config(fresh_dir("bad"));
  TrainingData empty{{}, synthetic_split("va", 1, 1)};
  EXPECT_NE(error_of([&] { Trainer t(cfg, single(), empty); }).find("data.train_split"), std::string::npos);
  TrainingData mixed = small_data();
  mixed.val.push_back(synthetic_subject("odd", 8, 40, 3));
  auto msg = error_of([&] { Trainer t(cfg, single(), mixed); });
  EXPECT_NE(msg.find("odd"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mismatched"), std::string::npos) << msg;
  // The check sizes the patch as the sampler does (patch_side): floor(0.02 * 32) = 0 is a
  // 1-pixel patch, which fits; a fraction above 1 (code may set one the schema refuses) does not.
  cfg.train.patch_fraction = 0.02;
  EXPECT_EQ(error_of([&] { check_training_data(small_data(), cfg); }), "");
  cfg.train.patch_fraction = 1.5;
  msg = error_of([&] { Trainer t(cfg, single(), small_data()); });
  EXPECT_NE(msg.find("train.patch_fraction: a 48-pixel patch"), std::string::npos) << msg;
}

TEST(TrainTrainer, WritesCheckpointsLogsDensityAndConfig) {
  Config cfg = small_training_config(fresh_dir("outputs"));
  Trainer t(cfg, single(), small_data());
  TrainOutcome out = t.run();
  EXPECT_FALSE(out.preempted);
  EXPECT_EQ(out.step, 6);
  ASSERT_EQ(out.losses.size(), 6u);
  for (double l : out.losses) EXPECT_TRUE(std::isfinite(l));
  const std::string d = cfg.run.output_dir;
  EXPECT_TRUE(fs::exists(d + "/checkpoints/best.pt"));
  EXPECT_TRUE(fs::exists(d + "/train_config.yaml"));
  EXPECT_NE(slurp(d + "/train.log").find("step 6/6"), std::string::npos);
  // 6 step rows + 3 validation rows (steps 2, 4, 6).
  std::istringstream jl(slurp(d + "/train_log.jsonl"));
  int steps = 0, vals = 0;
  int logged_patches = 0;
  for (std::string line; std::getline(jl, line);) {
    const bool val = line.find("val_loss") != std::string::npos;
    (val ? vals : steps)++;
    const std::string key = "\"patches\": ";
    const auto at = line.find(key);
    if (!val && at != std::string::npos) logged_patches += std::stoi(line.substr(at + key.size()));
  }
  EXPECT_EQ(steps, 6);
  EXPECT_EQ(logged_patches, 6 * 32);  // every step row counts the patches it trained on
  EXPECT_EQ(vals, 3);
  // The density counts every sampled target: 6 steps x 32 patches, as a 100 x 100 grid.
  std::istringstream csv(slurp(d + "/training_density.csv"));
  double total = 0;
  int rows = 0;
  for (std::string line; std::getline(csv, line); ++rows) {
    std::istringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) total += std::stod(cell);
  }
  EXPECT_EQ(rows, 100);
  EXPECT_EQ(total, 6 * 32);
  // "last" holds the final step and loads into a fresh model.
  Patch2LocNet net(cfg.model);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  TrainingState s = load_checkpoint(d + "/checkpoints/last.pt", *net, opt);
  EXPECT_EQ(s.step, 6);
  EXPECT_EQ(s.seed, 7);
  EXPECT_NE(s.config_yaml.find("patch_fraction: 0.25"), std::string::npos);
  // The model's facts travel with it (train/ModelFacts.hpp): 8-pixel patches of 32 x 32 slices.
  const auto* facts = std::get_if<Patch2LocFacts>(&s.facts);
  ASSERT_NE(facts, nullptr);
  EXPECT_EQ(facts->patch_fraction, 0.25);
  EXPECT_EQ(facts->patch_side, 8);
  EXPECT_EQ(facts->slices.height, 32);
  EXPECT_EQ(facts->slices.width, 32);
  EXPECT_EQ(facts->model.widths, cfg.model.widths);
  EXPECT_EQ(s.best_val_loss, out.best_val_loss);
}

TEST(TrainTrainer, InterruptedAndResumedRunReproducesLossesExactly) {
  Config whole = small_training_config(fresh_dir("whole"));
  std::vector<double> reference = Trainer(whole, single(), small_data()).run().losses;
  ASSERT_EQ(reference.size(), 6u);

  Config part = small_training_config(fresh_dir("parts"));
  part.train.steps = 3;  // stops between checkpoints: "last" is written at the end of the run
  std::vector<double> first = Trainer(part, single(), small_data()).run().losses;
  part.train.steps = 6;
  Trainer resumed(part, single(), small_data());
  EXPECT_EQ(resumed.step(), 3);
  TrainOutcome rest = resumed.run();
  EXPECT_EQ(rest.resumed_from, 3);
  first.insert(first.end(), rest.losses.begin(), rest.losses.end());
  ASSERT_EQ(first.size(), reference.size());
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i], reference[i]) << "step " << i + 1;
}

// A run resumed with another patch size would train one model in another's setting.
TEST(TrainTrainer, ResumeRefusesACheckpointOfOtherModelFacts) {
  Config part = small_training_config(fresh_dir("other_facts"));
  part.train.steps = 2;
  Trainer(part, single(), small_data()).run();
  part.train.steps = 4;
  const double trained = part.train.patch_fraction;
  part.train.patch_fraction = trained * 2;
  const std::string msg = error_of([&] { Trainer t(part, single(), small_data()); });
  EXPECT_NE(msg.find("cannot resume"), std::string::npos) << msg;
  EXPECT_NE(msg.find("train.patch_fraction"), std::string::npos) << msg;
  part.train.patch_fraction = trained;
  EXPECT_EQ(Trainer(part, single(), small_data()).step(), 2);
}

TEST(TrainTrainer, SigtermStopsAtStepEndWithLoadableLastCheckpoint) {
  Config cfg = small_training_config(fresh_dir("signal"));
  cfg.train.steps = 100000;
  cfg.train.checkpoint_every = 100000;
  PreemptionSignal::clear();
  Trainer t(cfg, single(), small_data());
  std::thread killer([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    kill(getpid(), SIGTERM);
  });
  TrainOutcome out = t.run();
  killer.join();
  PreemptionSignal::clear();
  EXPECT_TRUE(out.preempted);
  EXPECT_GT(out.step, 0);
  EXPECT_LT(out.step, 100000);
  Patch2LocNet net(cfg.model);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  EXPECT_EQ(load_checkpoint(cfg.run.output_dir + "/checkpoints/last.pt", *net, opt).step, out.step);
  Trainer again(cfg, single(), small_data());
  EXPECT_EQ(again.step(), out.step);
}

TEST(TrainTrainer, CorruptLastCheckpointIsNamedAndNotOverwritten) {
  Config cfg = small_training_config(fresh_dir("corrupt"));
  const std::string last = cfg.run.output_dir + "/checkpoints/last.pt";
  fs::create_directories(fs::path(last).parent_path());
  { std::ofstream(last) << "PK\x03\x04 this is not a checkpoint"; }
  const std::string before = slurp(last);
  auto msg = error_of([&] { Trainer(cfg, single(), small_data()).run(); });
  EXPECT_EQ(msg.rfind(last, 0), 0u) << msg;  // the message starts with the file
  EXPECT_EQ(slurp(last), before);
}

TEST(TrainTrainer, FoldSelectsTheFoldsSplits) {
  EXPECT_EQ(fold_split("IXI_train_fold0", 3), "IXI_train_fold3");
  EXPECT_EQ(fold_split("IXI_val_fold0", 12), "IXI_val_fold12");
  EXPECT_EQ(fold_split("IXI_train_fold0", 0), "IXI_train_fold0");
  EXPECT_EQ(fold_split("my_split", 2), "my_split");
}
