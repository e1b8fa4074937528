// Learning check: a short run on structured synthetic slices brings the mean location error on
// validation patches well below chance (always predicting the mean validation location).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "SyntheticBrain.hpp"
#include "dist/Communicator.hpp"
#include "train/Trainer.hpp"

using namespace p2l;
using namespace p2l::testing;

TEST(TrainLearning, ValidationErrorFallsWellBelowChance) {
  std::string dir = (std::filesystem::temp_directory_path() / ("p2l_learning_" + std::to_string(getpid()))).string();
  std::filesystem::remove_all(dir);
  Config cfg = small_training_config(dir);
  cfg.train.steps = 60;
  cfg.train.patches_per_step = 128;
  cfg.train.val_patches = 256;
  cfg.train.val_every = 60;
  cfg.train.checkpoint_every = 1000;
  cfg.train.log_every = 20;
  Communicator one(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(10));
  Trainer t(cfg, one, {synthetic_split("tr", 6, 100), synthetic_split("va", 2, 200)});
  TrainOutcome out = t.run();
  const ValidationRecord& v = out.last_validation;
  std::cerr << "validation location error " << v.location_error << ", chance " << v.chance_error << "\n";
  EXPECT_GT(v.chance_error, 10.0);  // the task is not trivial
  // Measured 20.2 against chance 29.5 (seed 7); deterministic on CPU, so the bound is safe.
  EXPECT_LT(v.location_error, 0.8 * v.chance_error);
}
