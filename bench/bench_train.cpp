// Training throughput on CPU: patches/s with 1 rank and with 2 ranks (Gloo, ranks as threads of
// this process sharing its cores), and the time a step spends in the gradient all-reduce.
// Synthetic structured 96 x 96 slices, 12 x 12 patches, `patches` per rank per step.
// Usage: bench_train [patches=256] [steps=6]. Prints one JSON object.
#include <ATen/CPUGeneratorImpl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "../tests/train/SyntheticBrain.hpp"
#include "dist/Communicator.hpp"
#include "train/Trainer.hpp"

using namespace p2l;

namespace {

struct Rate {
  double patches_per_s = 0, step_s = 0, allreduce_s = 0;
};

Rate run_rank(Communicator& comm, int patches, int steps) {
  Config cfg = testing::small_training_config(
      (std::filesystem::temp_directory_path() / ("p2l_bench_train_" + std::to_string(getpid()))).string());
  cfg.train.patch_fraction = 0.125;
  cfg.train.patches_per_step = patches;
  cfg.train.slices_per_step = 8;
  TrainingData data{testing::synthetic_split("tr", 8, 1, 16, 96), testing::synthetic_split("va", 1, 9, 16, 96), std::nullopt};
  Trainer t(cfg, comm, data);
  PatchSampler sampler(data.train, cfg.train, torch::kCPU);
  t.model()->train();
  double total = 0, reduce = 0;
  for (int s = -1; s < steps; ++s) {  // step -1 warms up
    torch::Generator g = at::make_generator<at::CPUGeneratorImpl>(step_seed(1, comm.rank(), s + 1));
    PatchBatch b = sampler.sample(g);
    comm.barrier();
    auto t0 = std::chrono::steady_clock::now();
    t.train_step(b);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s >= 0) {
      total += dt;
      reduce += t.last_allreduce_seconds();
    }
  }
  return {double(patches) * comm.size() * steps / total, total / steps, reduce / steps};
}

}  // namespace

int main(int argc, char** argv) {
  int patches = argc > 1 ? std::atoi(argv[1]) : 256;
  int steps = argc > 2 ? std::atoi(argv[2]) : 6;
  Communicator one(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(60));
  Rate r1 = run_rank(one, patches, steps);
  MasterEndpoint m{"127.0.0.1", pick_free_port()};
  Rate r2[2];
  auto rank = [&](int k) {
    RankInfo who;
    who.rank = k;
    who.size = 2;
    Communicator comm(who, m, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(120));
    r2[k] = run_rank(comm, patches, steps);
  };
  std::thread a(rank, 0), b(rank, 1);
  a.join();
  b.join();
  std::cout << "{\"patches_per_rank_step\": " << patches << ", \"steps\": " << steps
            << ", \"threads\": " << torch::get_num_threads()
            << ", \"one_rank\": {\"patches_per_s\": " << r1.patches_per_s << ", \"step_s\": " << r1.step_s
            << "}, \"two_ranks\": {\"patches_per_s\": " << r2[0].patches_per_s << ", \"step_s\": "
            << r2[0].step_s << ", \"allreduce_s_per_step\": " << r2[0].allreduce_s
            << "}, \"ratio_two_over_one\": " << r2[0].patches_per_s / r1.patches_per_s << "}" << std::endl;
  return 0;
}
