// Bucketed collectives over two real Gloo ranks run as two threads of this process.
#include <gtest/gtest.h>
#include <torch/torch.h>


#include "dist/Communicator.hpp"
#include "dist/GradientReducer.hpp"
#include "dist/TensorBuckets.hpp"
#include "support/ThreadRanks.hpp"

using namespace p2l;

namespace {

// Runs `body(comm)` on ranks 0 and 1 of a 2-process group (threads), rethrowing failures.
template <class F>
void two_ranks(F&& body) {
  p2l::testing::on_two_thread_ranks([&](Communicator& comm, int) { body(comm); });
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

// Gradients of sum(w_i * x_i) are the x_i: each rank's gradients are its odd_tensors.
std::vector<torch::Tensor> reduced_gradients(Communicator& comm, bool overlap, int steps) {
  std::vector<torch::Tensor> params;
  for (auto& t : odd_tensors(7)) params.push_back(t.clone().requires_grad_(true));
  GradientReducer reducer(comm, params, 64.0 * 4, overlap);  // small buckets: several
  EXPECT_GT(reducer.bucket_count(), 2u);
  for (int s = 0; s < steps; ++s) {  // the reducer is reusable step after step
    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    auto x = odd_tensors(comm.rank());
    torch::Tensor loss = torch::zeros({});
    for (size_t i = 0; i < params.size(); ++i) loss = loss + (params[i] * x[i] * double(s + 1)).sum();
    reducer.prepare();
    loss.backward();
    reducer.finish();
  }
  std::vector<torch::Tensor> g;
  for (auto& p : params) g.push_back(p.grad().clone());
  return g;
}

TEST(DistBuckets, ReducedGradientsAreTheMeanOverRanksWithAndWithoutOverlap) {
  two_ranks([](Communicator& comm) {
    auto overlapped = reduced_gradients(comm, true, 2);
    auto plain = reduced_gradients(comm, false, 2);
    auto a = odd_tensors(0), b = odd_tensors(1);
    for (size_t i = 0; i < a.size(); ++i) {
      auto expected = (a[i] + b[i]) / 2 * 2.0;  // the second step's gradients
      EXPECT_TRUE(torch::allclose(overlapped[i], expected, 1e-6, 1e-7)) << "tensor " << i;
      EXPECT_TRUE(torch::equal(overlapped[i], plain[i])) << "tensor " << i;
    }
  });
}

// Parameters of two dtypes get a bucket each, in its parameters' dtype: a double parameter's
// gradients are averaged in double, not rounded through another parameter's float buffer.
TEST(DistBuckets, EachBucketReducesInItsParametersDtype) {
  two_ranks([](Communicator& comm) {
    std::vector<torch::Tensor> params = {torch::zeros({3}).requires_grad_(true),
                                         torch::zeros({5}, torch::kDouble).requires_grad_(true)};
    GradientReducer reducer(comm, params, 1 << 20, false);
    ASSERT_EQ(reducer.bucket_count(), 2u);
    auto x = [](int rank) { return torch::full({5}, 1.0 + (rank + 1) * 1e-12, torch::kDouble); };
    torch::Tensor loss = params[0].sum() + (params[1] * x(comm.rank())).sum();
    reducer.prepare();
    loss.backward();
    reducer.finish();
    EXPECT_EQ(params[1].grad().scalar_type(), torch::kDouble);
    EXPECT_TRUE(torch::equal(params[1].grad(), (x(0) + x(1)) / 2)) << params[1].grad();
    EXPECT_TRUE(torch::equal(params[0].grad(), torch::ones({3})));
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
