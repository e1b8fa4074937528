// Evaluates a trained Patch2Loc checkpoint (SPEC sections 6-9); the work is
// p2l::run_evaluation in src/eval/EvaluationJob.
#include <torch/torch.h>

#include <algorithm>
#include <thread>

#include "config/Config.hpp"
#include "eval/EvaluationJob.hpp"
#include "preprocess/MpiSession.hpp"

using namespace p2l;

int main(int argc, char** argv) {
  MpiSession mpi(&argc, &argv);
  const std::string tool = "p2l-evaluate";
  try {
    Config cfg = parse_command_line(argc, argv, tool,
                                    "Heatmaps, thresholds, metrics, fusion sweeps, the benchmark table and figures "
                                    "of a trained Patch2Loc checkpoint (SPEC sections 6-9).");
    const int hw = int(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(cfg.run.threads > 0 ? cfg.run.threads : std::max(1, hw / mpi.size()));
    return run_evaluation(cfg, mpi.rank(), mpi.size());
  } catch (const std::exception& e) {
    mpi.abort(tool, e.what());
  }
}
