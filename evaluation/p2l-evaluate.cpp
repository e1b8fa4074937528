// Evaluates a trained Patch2Loc checkpoint (SPEC sections 6-9); the work is
// p2l::run_evaluation in src/eval/EvaluationJob.
#include <tbb/global_control.h>
#include <torch/torch.h>

#include <iostream>

#include "config/Config.hpp"
#include "config/CpuThreads.hpp"
#include "dist/NetworkInterface.hpp"
#include "dist/World.hpp"
#include "eval/EvaluationJob.hpp"

using namespace p2l;

int main(int argc, char** argv) {
  const std::string tool = "p2l-evaluate";
  Config cfg;
  try {
    cfg = parse_command_line(argc, argv, tool,
                             "Heatmaps, thresholds, metrics, fusion, every method of the table, the benchmark table and figures "
                             "of a trained Patch2Loc checkpoint (SPEC sections 6-9).");
    select_network_interface(cfg.run.network_interface);  // before MPI starts
  } catch (const std::exception& e) {
    std::cerr << tool << ": " << e.what() << std::endl;
    return 2;
  }
  World& world = p2l::world();
  if (world.size() > 1) std::cerr << tool + " " + rank_network_line(world.rank(), world.size()) + "\n";
  try {
    // One thread rule for torch and for the scoring's TBB loops: ranks on a node split its cores.
    const int threads = cpu_threads(cfg.run.threads, world.local_size());
    torch::set_num_threads(threads);
    const tbb::global_control tbb_threads(tbb::global_control::max_allowed_parallelism, size_t(threads));
    return run_evaluation(cfg, world);
  } catch (const std::exception& e) {
    world.abort(tool, e.what());
  }
}
