// A rank that dies (SIGKILL) makes its peer's next collective fail within the timeout instead
// of hanging. The peer is a forked child process, killed after one successful all-reduce.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "dist/Communicator.hpp"

using namespace p2l;

TEST(DistDeadRank, PeerOfKilledRankFailsWithinTimeout) {
  MasterEndpoint m{"127.0.0.1", pick_free_port()};
  const auto timeout = std::chrono::seconds(5);
  pid_t child = fork();  // before any torch thread pool exists in this process
  ASSERT_GE(child, 0);
  if (child == 0) {
    RankInfo who;
    who.rank = 1;
    who.world = 2;
    Communicator comm(who, m, "gloo", c10::Device(c10::kCPU), timeout);
    auto t = torch::ones({4});
    comm.allreduce_sum(t);
    raise(SIGKILL);
  }
  RankInfo who;
  who.rank = 0;
  who.world = 2;
  Communicator comm(who, m, "gloo", c10::Device(c10::kCPU), timeout);
  auto t = torch::ones({4});
  comm.allreduce_sum(t);
  EXPECT_TRUE(torch::equal(t, torch::full({4}, 2.0f)));
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto start = std::chrono::steady_clock::now();
  // The very next collective fails: a closed connection at once, a silent peer at the timeout.
  EXPECT_THROW(comm.allreduce_sum(t), std::runtime_error);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("the collective after the peer's death failed after %.2f s (timeout 5 s)\n", waited);
  EXPECT_LT(waited, 5.0 + 1.0);
}

// A peer that hangs (SIGSTOP: its sockets stay open, nothing arrives) is only found by the
// timeout: the collective must fail at it, not much later and not never.
TEST(DistDeadRank, PeerThatHangsFailsAtTheTimeout) {
  MasterEndpoint m{"127.0.0.1", pick_free_port()};
  const auto timeout = std::chrono::seconds(3);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RankInfo who;
    who.rank = 1;
    who.world = 2;
    Communicator comm(who, m, "gloo", c10::Device(c10::kCPU), timeout);
    auto t = torch::ones({4});
    comm.allreduce_sum(t);
    raise(SIGSTOP);
    _exit(0);
  }
  RankInfo who;
  who.rank = 0;
  who.world = 2;
  Communicator comm(who, m, "gloo", c10::Device(c10::kCPU), timeout);
  auto t = torch::ones({4});
  comm.allreduce_sum(t);
  int status = 0;
  waitpid(child, &status, WUNTRACED);
  ASSERT_TRUE(WIFSTOPPED(status));
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(comm.allreduce_sum(t), std::runtime_error);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  std::printf("the collective with a hung peer failed after %.2f s (timeout 3 s)\n", waited);
  EXPECT_GT(waited, 3.0 - 0.5);
  EXPECT_LT(waited, 3.0 + 1.0);
}
