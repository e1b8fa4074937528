// Ranks placed on nodes from their exchanged node identities (dist/NodePlacement.hpp): hand-made
// placements, the launcher claims that disagree, Slurm's uneven SLURM_TASKS_PER_NODE, the
// identity itself, and two real Gloo ranks whose launcher lies about their local ranks.
#include <gtest/gtest.h>

#include <chrono>

#include "dist/Communicator.hpp"
#include "dist/NodePlacement.hpp"
#include "dist/Rendezvous.hpp"
#include "support/TempDir.hpp"
#include "support/ThreadRanks.hpp"

using namespace p2l;

namespace {

void expect_placement(const NodePlacement& p, int node, int nodes, int local_rank, int local_size) {
  EXPECT_EQ(p.node, node);
  EXPECT_EQ(p.nodes, nodes);
  EXPECT_EQ(p.local_rank, local_rank);
  EXPECT_EQ(p.local_size, local_size);
}

}  // namespace

TEST(DistPlacement, RanksOfOneIdentityShareANodeNumberedByLowestRank) {
  // Ranks 0, 2 on host a; 1, 4 on b; 3 alone on c: interleaved, as a round-robin launcher does.
  const std::vector<std::string> ids = {"a", "b", "a", "c", "b"};
  expect_placement(place_rank(ids, 0), 0, 3, 0, 2);
  expect_placement(place_rank(ids, 1), 1, 3, 0, 2);
  expect_placement(place_rank(ids, 2), 0, 3, 1, 2);
  expect_placement(place_rank(ids, 3), 2, 3, 0, 1);
  expect_placement(place_rank(ids, 4), 1, 3, 1, 2);
  expect_placement(place_rank({"x"}, 0), 0, 1, 0, 1);
  EXPECT_THROW(place_rank(ids, 5), std::out_of_range);
}

TEST(DistPlacement, OnlyClaimsThatDisagreeAreReported) {
  // Two ranks on one node, both told LOCAL_RANK=0 (the launcher lies to rank 1); a third rank
  // on another node with a true claim and one with no claim at all.
  std::vector<RankNodeReport> reports = {{"a", {"LOCAL_RANK", 0}, {}},
                                         {"a", {"LOCAL_RANK", 0}, {"LOCAL_WORLD_SIZE", 2}},
                                         {"b", {"LOCAL_RANK", 0}, {"LOCAL_WORLD_SIZE", 1}},
                                         {"b", {}, {}}};
  const auto lines = launcher_disagreements(reports);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("rank 1: the launcher's LOCAL_RANK=0"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("local rank 1 of 2 on node 0 of 2"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("rank 2: the launcher's LOCAL_WORLD_SIZE=1"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("local rank 0 of 2 on node 1 of 2"), std::string::npos) << lines[1];
  EXPECT_TRUE(launcher_disagreements({{"a", {"SLURM_LOCALID", 0}, {"SLURM_TASKS_PER_NODE[SLURM_NODEID]", 1}}}).empty());
}

TEST(DistPlacement, ReportsSurviveTheirEncoding) {
  const RankNodeReport r{"host=n1 boot=abc shm=25:1", {"OMPI_COMM_WORLD_LOCAL_RANK", 3}, {}};
  const RankNodeReport back = decode_report(encode_report(r));
  EXPECT_EQ(back.identity, r.identity);
  EXPECT_EQ(back.local_rank.text(), "OMPI_COMM_WORLD_LOCAL_RANK=3");
  EXPECT_FALSE(back.local_size.set());
  EXPECT_THROW(decode_report("no newline"), std::runtime_error);
}

TEST(DistPlacement, SlurmTasksPerNodeIsReadPerNode) {
  EXPECT_EQ(slurm_tasks_on_node("3,1", 0), 3);
  EXPECT_EQ(slurm_tasks_on_node("3,1", 1), 1);
  for (int n = 0; n < 3; ++n) EXPECT_EQ(slurm_tasks_on_node("2(x3),1", n), 2) << n;
  EXPECT_EQ(slurm_tasks_on_node("2(x3),1", 3), 1);
  EXPECT_EQ(slurm_tasks_on_node("4", 0), 4);
  EXPECT_EQ(slurm_tasks_on_node("1,2(x2),5", 3), 5);
  for (const char* bad : {"", "x", "2(x3", "2(x3),", "0", "2,,1", "2(x0)"})
    EXPECT_THROW(slurm_tasks_on_node(bad, 0), std::runtime_error) << bad;
  EXPECT_THROW(slurm_tasks_on_node("3,1", 2), std::runtime_error);
}

TEST(DistPlacement, IdentityNamesHostBootAndTheMemoryFileSystem) {
  const std::string id = node_identity();
  EXPECT_EQ(id, node_identity()) << "stable within a host";
  EXPECT_NE(id.find("boot="), std::string::npos);
  EXPECT_EQ(id.find("boot=unknown"), std::string::npos) << id;
  EXPECT_FALSE(node_host(id).empty());
  // Another RAM file system (another mount namespace's /dev/shm) is another node.
  p2l::testing::TempDir other("p2l_placement");
  EXPECT_NE(node_identity(other.str()), id);
}

TEST(DistPlacement, TwoRanksTheLauncherCallsBothLocalRankZeroArePlacedZeroAndOne) {
  const MasterEndpoint m{"127.0.0.1", pick_free_port()};
  RankInfo placed[2];
  int device_rule_local_rank[2] = {-1, -1};
  std::vector<std::string> warnings[2];
  p2l::testing::on_two_threads([&](int k) {
    RankInfo who;
    who.rank = k, who.size = 2, who.launcher = Launcher::kEnv;
    who.claimed_local_rank = {"LOCAL_RANK", 0};  // the lie, on both ranks
    auto device_rule = [&, k](const RankInfo& p) {
      device_rule_local_rank[k] = p.local_rank;
      return c10::Device(c10::kCPU);
    };
    Communicator comm(who, m, Backend::kGloo, device_rule, std::chrono::seconds(60));
    placed[k] = comm.who();
    warnings[k] = comm.placement_warnings();
  });
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(placed[k].local_rank, k);
    EXPECT_EQ(placed[k].local_size, 2);
    EXPECT_EQ(placed[k].nodes, 1);
    EXPECT_EQ(device_rule_local_rank[k], k) << "the device (cuda:<local rank>) follows the placement";
    ASSERT_EQ(warnings[k].size(), 1u);
    EXPECT_NE(warnings[k][0].find("rank 1: the launcher's LOCAL_RANK=0"), std::string::npos) << warnings[k][0];
  }
}
