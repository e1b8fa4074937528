// carry_over_splits on hand-made manifests: what a run that preprocesses fewer splits keeps.
#include <gtest/gtest.h>

#include "preprocess/SplitCarryOver.hpp"

using namespace p2l;

namespace {

ManifestSubject subject(const std::string& id, const std::string& shard) {
  ManifestSubject s;
  s.id = id, s.shard = shard, s.slices = 4;
  return s;
}

// The store before: train (shard A), tumor_test (shards A and B), one tumor failure, one skip.
Manifest previous() {
  Manifest m;
  m.config_hash = "h1";
  m.split_order = {"train", "tumor_test"};
  m.splits["train"] = {subject("t0", "A.h5")};
  m.splits["tumor_test"] = {subject("u0", "A.h5"), subject("u1", "B.h5")};
  m.failures = {{"tumor_test", "u2", "/data/u2.nii.gz", "corrupt"}, {"train", "t9", "/data/t9.nii.gz", "bad"}};
  m.skipped = {{"tumor_test", "u3", "u3_t2.nii.gz", "repeated id"}};
  m.shards = {{"A.h5", 2}, {"B.h5", 1}};
  return m;
}

// This run: train only, recomputed into shard C.
Manifest next_run(const std::string& hash) {
  Manifest m;
  m.config_hash = hash;
  m.split_order = {"train"};
  m.splits["train"] = {subject("t0", "C.h5")};
  m.shards = {{"C.h5", 1}};
  return m;
}

}  // namespace

TEST(PreprocessSplitCarryOver, KeepsUnlistedSplitsWithTheirShardsFailuresAndSkips) {
  Manifest m = next_run("h1");
  const CarryOver c = carry_over_splits(previous(), m, false);
  EXPECT_EQ(c.kept, (std::vector<std::string>{"tumor_test"}));
  EXPECT_TRUE(c.dropped.empty());
  EXPECT_EQ(m.split_order, (std::vector<std::string>{"train", "tumor_test"}));
  ASSERT_EQ(m.splits.at("tumor_test").size(), 2u);
  EXPECT_EQ(m.splits.at("tumor_test")[1].shard, "B.h5");
  EXPECT_TRUE(m.splits.at("tumor_test")[0].reused);
  EXPECT_EQ(m.splits.at("train")[0].shard, "C.h5");  // this run's own subjects are untouched
  ASSERT_EQ(m.failures.size(), 1u);                   // only the kept split's failure
  EXPECT_EQ(m.failures[0].id, "u2");
  ASSERT_EQ(m.skipped.size(), 1u);
  // Shard counts are this manifest's: A still holds u0 (t0 moved to C), B holds u1.
  ASSERT_EQ(m.shards.size(), 3u);
  EXPECT_EQ(m.shards[0].file, "A.h5");
  EXPECT_EQ(m.shards[0].subjects, 1);
  EXPECT_EQ(m.shards[1].file, "B.h5");
  EXPECT_EQ(m.shards[2].file, "C.h5");
}

TEST(PreprocessSplitCarryOver, OtherSettingsOrDropLeaveTheSplitOut) {
  Manifest changed = next_run("h2");
  const CarryOver c = carry_over_splits(previous(), changed, false);
  EXPECT_TRUE(c.kept.empty());
  ASSERT_EQ(c.dropped.size(), 1u);
  EXPECT_NE(c.dropped[0].find("tumor_test: preprocessed with other settings"), std::string::npos) << c.dropped[0];
  EXPECT_EQ(changed.split_order, (std::vector<std::string>{"train"}));
  EXPECT_EQ(changed.splits.count("tumor_test"), 0u);
  ASSERT_EQ(changed.shards.size(), 1u);

  Manifest dropped = next_run("h1");
  EXPECT_EQ(carry_over_splits(previous(), dropped, true).dropped.size(), 1u);
  EXPECT_EQ(dropped.splits.count("tumor_test"), 0u);
}
