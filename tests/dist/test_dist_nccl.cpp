// A one-rank NCCL process group: all-reduce (blocking and overlapped), broadcast and a CPU
// scalar staged through the device (GPU machines only; skipped elsewhere).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "dist/Communicator.hpp"
#include "support/Cuda.hpp"

using namespace p2l;

TEST(DistNccl, OneRankGroupReducesOnTheDevice) {
  P2L_REQUIRE_CUDA();
  ASSERT_TRUE(Communicator::nccl_compiled());
  // force_group: a real NCCL communicator even with one rank (port 0: any free port).
  Communicator comm(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kAuto, c10::Device(c10::kCUDA, 0),
                    std::chrono::seconds(60), true);
  EXPECT_EQ(comm.backend_name(), "nccl");
  auto t = torch::arange(1000, torch::TensorOptions().dtype(torch::kFloat32).device(torch::kCUDA));
  auto want = t.clone();
  comm.allreduce_sum(t);  // a sum over one rank is the identity
  EXPECT_TRUE(torch::equal(t, want));
  auto wait = comm.allreduce_sum_async(t);
  wait();  // stream-ordered: the comparison below runs after the reduction
  EXPECT_TRUE(torch::equal(t, want));
  auto scalar = torch::full({3}, 2.5, torch::kFloat64);  // lives on the CPU
  comm.allreduce_sum(scalar);
  EXPECT_TRUE(scalar.device().is_cpu());
  EXPECT_EQ(scalar[1].item<double>(), 2.5);
  comm.broadcast(t, 0);
  comm.barrier();
  EXPECT_TRUE(torch::equal(t.cpu(), want.cpu()));
  auto cpu_tensor = torch::ones({4});
  EXPECT_THROW(comm.allreduce_sum_async(cpu_tensor), std::runtime_error);  // buckets must live on the GPU
}

TEST(DistNccl, NcclOnACpuRankIsAClearError) {
  // Runs everywhere: the choice is checked before any rendezvous, so nothing waits for rank 1.
  RankInfo two;
  two.size = 2;
  try {
    Communicator c(two, MasterEndpoint{"127.0.0.1", 0}, Backend::kNccl, c10::Device(c10::kCPU), std::chrono::seconds(1));
    FAIL() << "an NCCL group on a CPU rank was built";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nccl needs a CUDA device"), std::string::npos) << e.what();
  }
}
