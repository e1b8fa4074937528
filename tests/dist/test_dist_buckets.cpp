// Bucketed collectives over two real Gloo ranks run as two threads of this process.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

#include "dist/Communicator.hpp"
#include "dist/TensorBuckets.hpp"

using namespace p2l;

namespace {

// Runs `body(comm)` on ranks 0 and 1 of a 2-process group (threads), rethrowing failures.
template <class F>
void two_ranks(F&& body) {
  MasterEndpoint m{"127.0.0.1", pick_free_port()};
  std::exception_ptr err[2];
  auto rank = [&](int r) {
    try {
      RankInfo who;
      who.rank = r;
      who.world = 2;
      who.local_world = 2;
      Communicator comm(who, m, "gloo", false, std::chrono::seconds(30));
      body(comm);
    } catch (...) {
      err[r] = std::current_exception();
    }
  };
  std::thread t0(rank, 0), t1(rank, 1);
  t0.join();
  t1.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
}

// Odd sizes so buckets split inside no tensor and offsets are not aligned.
std::vector<torch::Tensor> odd_tensors(int rank) {
  std::vector<torch::Tensor> v;
  const std::vector<std::vector<int64_t>> shapes = {{7}, {3, 5}, {1}, {13, 2, 3}, {1001}, {2, 2}, {97}};
  for (size_t i = 0; i < shapes.size(); ++i)
    v.push_back(torch::empty(shapes[i]).uniform_(
        -1, 1, at::make_generator<at::CPUGeneratorImpl>(uint64_t(100 * rank + i))));
  return v;
}

}  // namespace

TEST(DistBuckets, PlanRespectsBucketSizeAndOrder) {
  std::vector<torch::Tensor> t = {torch::zeros({10}), torch::zeros({10}), torch::zeros({30}),
                                  torch::zeros({5}), torch::zeros({5}, torch::kDouble)};
  auto b = plan_buckets(t, 80.0);  // 20 floats per bucket
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0], (std::vector<size_t>{0, 1}));
  EXPECT_EQ(b[1], (std::vector<size_t>{2}));  // larger than a bucket: alone
  EXPECT_EQ(b[2], (std::vector<size_t>{3}));
  EXPECT_EQ(b[3], (std::vector<size_t>{4}));  // another dtype never shares a bucket
}

TEST(DistBuckets, BucketedMeanEqualsPerTensorReduction) {
  two_ranks([](Communicator& comm) {
    auto mine = odd_tensors(comm.rank());
    auto bucketed = mine;
    for (auto& t : bucketed) t = t.clone();
    allreduce_mean(comm, bucketed, 64.0 * 4);  // small buckets: several per call
    // Reference: one collective per tensor, and the analytic mean of both ranks' values.
    auto a = odd_tensors(0), b = odd_tensors(1);
    for (size_t i = 0; i < mine.size(); ++i) {
      auto single = mine[i].clone();
      comm.allreduce_sum(single);
      single.div_(2);
      EXPECT_TRUE(torch::allclose(bucketed[i], single, 1e-6, 1e-7)) << "tensor " << i;
      EXPECT_TRUE(torch::allclose(bucketed[i], (a[i] + b[i]) / 2, 1e-6, 1e-7)) << "tensor " << i;
    }
  });
}

TEST(DistBuckets, BroadcastCopiesRootValues) {
  two_ranks([](Communicator& comm) {
    auto mine = odd_tensors(comm.rank());
    broadcast(comm, mine, 100.0);
    auto root = odd_tensors(0);
    for (size_t i = 0; i < mine.size(); ++i) EXPECT_TRUE(torch::equal(mine[i], root[i]));
  });
}
