// Evaluates a trained Patch2Loc checkpoint (SPEC sections 6-9); the work is
// p2l::run_evaluation in src/eval/EvaluationJob.
#include <torch/torch.h>

#include "config/Config.hpp"
#include "config/CpuThreads.hpp"
#include "eval/EvaluationJob.hpp"
#include "dist/World.hpp"

using namespace p2l;

int main(int argc, char** argv) {
  World& world = p2l::world();
  const std::string tool = "p2l-evaluate";
  try {
    Config cfg = parse_command_line(argc, argv, tool,
                                    "Heatmaps, thresholds, metrics, fusion, every method of the table, the benchmark table and figures "
                                    "of a trained Patch2Loc checkpoint (SPEC sections 6-9).");
    torch::set_num_threads(cpu_threads(cfg.run.threads, world.local_size()));
    return run_evaluation(cfg, world.rank(), world.size());
  } catch (const std::exception& e) {
    world.abort(tool, e.what());
  }
}
