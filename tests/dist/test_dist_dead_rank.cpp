// A rank that dies (SIGKILL) or hangs (SIGSTOP) makes its peer's next collective fail within the
// timeout instead of hanging. The peer is a forked child process that stops itself after one
// successful all-reduce.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "dist/Communicator.hpp"

using namespace p2l;

namespace {

std::unique_ptr<Communicator> rank_of_two(int rank, const MasterEndpoint& m, std::chrono::seconds timeout) {
  RankInfo who;
  who.rank = rank;
  who.size = 2;
  return std::make_unique<Communicator>(who, m, Backend::kGloo, c10::Device(c10::kCPU), timeout);
}

// Rank 1 in a child forked before any torch thread pool exists here; after one all-reduce it
// raises `signal`. Returns the child's pid and rank 0's communicator, after that all-reduce.
struct PeerPair {
  pid_t child;
  std::unique_ptr<Communicator> comm;
};

PeerPair fork_peer_that_raises(int signal, std::chrono::seconds timeout) {
  const MasterEndpoint m{"127.0.0.1", pick_free_port()};
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    auto comm = rank_of_two(1, m, timeout);
    auto t = torch::ones({4});
    comm->allreduce_sum(t);
    raise(signal);
    _exit(0);
  }
  auto comm = rank_of_two(0, m, timeout);
  auto t = torch::ones({4});
  comm->allreduce_sum(t);
  EXPECT_TRUE(torch::equal(t, torch::full({4}, 2.0f)));
  return {child, std::move(comm)};
}

// Seconds until the next all-reduce throws (a failure when it does not).
double seconds_until_the_next_allreduce_fails(Communicator& comm) {
  auto t = torch::ones({4});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(comm.allreduce_sum(t), std::runtime_error);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST(DistDeadRank, PeerOfKilledRankFailsWithinTimeout) {
  auto [child, comm] = fork_peer_that_raises(SIGKILL, std::chrono::seconds(5));
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  // The very next collective fails: the closed connection is seen at once.
  const double waited = seconds_until_the_next_allreduce_fails(*comm);
  std::printf("the collective after the peer's death failed after %.2f s (timeout 5 s)\n", waited);
  EXPECT_LT(waited, 5.0 + 1.0);
}

// A peer that hangs (SIGSTOP: its sockets stay open, nothing arrives) is only found by the
// timeout: the collective must fail at it, not much later and not never.
TEST(DistDeadRank, PeerThatHangsFailsAtTheTimeout) {
  auto [child, comm] = fork_peer_that_raises(SIGSTOP, std::chrono::seconds(3));
  int status = 0;
  waitpid(child, &status, WUNTRACED);
  ASSERT_TRUE(WIFSTOPPED(status));
  const double waited = seconds_until_the_next_allreduce_fails(*comm);
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  std::printf("the collective with a hung peer failed after %.2f s (timeout 3 s)\n", waited);
  EXPECT_GT(waited, 3.0 - 0.5);
  EXPECT_LT(waited, 3.0 + 1.0);
}
