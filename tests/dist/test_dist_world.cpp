// The one-process world (dist/SoloWorld.hpp) through the World interface the stages use: the
// collectives of one rank give their input back, the progress channel delivers posted counts to
// rank 0 in order, abort prints the fatal line and exits with code 2.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "dist/SoloWorld.hpp"
#include "dist/World.hpp"

using namespace p2l;

TEST(DistWorld, SoloWorldIsRankZeroOfOne) {
  SoloWorld solo;
  World& w = solo;
  EXPECT_EQ(w.rank(), 0);
  EXPECT_EQ(w.size(), 1);
  EXPECT_EQ(w.local_rank(), 0);
  EXPECT_EQ(w.local_size(), 1);
  w.barrier();  // returns at once
}

TEST(DistWorld, SoloBroadcastKeepsRootsValues) {
  SoloWorld solo;
  World& w = solo;
  std::string text = "node07\n29500";
  w.broadcast(text);
  EXPECT_EQ(text, "node07\n29500");
  std::string empty;
  w.broadcast(empty);
  EXPECT_EQ(empty, "");
  std::vector<int> owner = {0, 0, 0, 0};
  w.broadcast(owner);
  EXPECT_EQ(owner, (std::vector<int>{0, 0, 0, 0}));
  std::vector<long> counts = {11, 9, 2, 0};
  w.broadcast(counts);
  EXPECT_EQ(counts, (std::vector<long>{11, 9, 2, 0}));
  // There is no rank 1 to broadcast from.
  EXPECT_THROW(w.broadcast(text, 1), std::invalid_argument);
  EXPECT_THROW(w.broadcast(owner, 1), std::invalid_argument);
}

TEST(DistWorld, SoloGatherIsOwnTextWithItsBytes) {
  SoloWorld solo;
  World& w = solo;
  const std::string records = std::string("train\x1fIXI001\x1fno mask\x1e", 21) + std::string(1, '\0') + "x";
  EXPECT_EQ(w.gather_text(records), records);
  EXPECT_EQ(w.gather_text("").size(), 0u);
}

TEST(DistWorld, SoloAllReduceSumIsOwnValues) {
  SoloWorld solo;
  World& w = solo;
  EXPECT_EQ(w.all_reduce_sum(3), 3);
  EXPECT_EQ(w.all_reduce_sum(0), 0);
  std::vector<double> sums = {0.5, -2.25, 1e300};
  w.all_reduce_sum(sums);
  EXPECT_EQ(sums, (std::vector<double>{0.5, -2.25, 1e300}));
  std::vector<double> none;
  w.all_reduce_sum(none);
  EXPECT_TRUE(none.empty());
}

TEST(DistWorld, SoloProgressChannelDeliversPostsInOrder) {
  SoloWorld solo;
  World& w = solo;
  EXPECT_FALSE(w.take_count(false).has_value());
  w.post_count(3, false);
  w.post_count(7, false);
  w.post_count(11, true);
  w.wait_posted();
  const std::vector<std::pair<long, bool>> want = {{3, false}, {7, false}, {11, true}};
  for (const auto& [count, final] : want) {
    auto c = w.take_count(false);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->rank, 0);
    EXPECT_EQ(c->count, count);
    EXPECT_EQ(c->final, final);
  }
  EXPECT_FALSE(w.take_count(false).has_value());
  w.post_count(5, true);
  auto c = w.take_count(true);  // one has arrived: no waiting
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->count, 5);
  // Waiting with nothing posted would wait forever in a world of one.
  EXPECT_THROW(w.take_count(true), std::logic_error);
}

TEST(DistWorld, FatalLineNamesToolRankAndReason) {
  EXPECT_EQ(fatal_line("p2l-preprocess", 1, 4, "splits/nosuch.csv: not found"),
            "p2l-preprocess rank 1/4: fatal: splits/nosuch.csv: not found (aborting all ranks)\n");
}

TEST(DistWorld, SoloAbortPrintsFatalLineAndExitsWithTwo) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  SoloWorld solo;
  World& w = solo;
  EXPECT_EXIT(w.abort("p2l-test", "boom"), ::testing::ExitedWithCode(2),
              "p2l-test rank 0/1: fatal: boom \\(aborting all ranks\\)");
}

TEST(DistWorld, MpiLibraryVersionNeedsNoStartedWorld) {
  const std::string v = mpi_library_version();
  EXPECT_FALSE(v.empty());
  EXPECT_FALSE(world_started());  // asking for the version does not start MPI
}
