// p2l-preprocess: turns the split CSVs of a cohort into a sharded HDF5 store (SPEC section 3,
// docs/STORE.md). Run as `mpirun -np N p2l-preprocess [--config FILE] [key=value ...]`, under
// srun, or plainly as one rank. Exit 0 when every subject is stored, 1 when some failed,
// 2 on a job-level error (all ranks are aborted).
#include <iostream>

#include "config/Config.hpp"
#include "dist/NetworkInterface.hpp"
#include "dist/World.hpp"
#include "preprocess/PreprocessJob.hpp"

int main(int argc, char** argv) {
  p2l::Config cfg;
  try {
    cfg = p2l::parse_command_line(argc, argv, "p2l-preprocess",
                                  "Preprocess the cohort's split CSVs into the sharded HDF5 store "
                                  "data.store_dir (MPI: one shard set per rank; reruns resume).");
    p2l::select_network_interface(cfg.run.network_interface);  // before MPI starts
  } catch (const std::exception& e) {
    std::cerr << "p2l-preprocess: " << e.what() << std::endl;
    return 2;
  }
  p2l::World& world = p2l::world();
  if (world.size() > 1) std::cerr << "p2l-preprocess " + p2l::rank_network_line(world.rank(), world.size()) + "\n";
  try {
    auto summary = p2l::run_preprocess_job(cfg, world);
    if (summary.failed > 0 && world.rank() == 0)
      std::cerr << "p2l-preprocess: " << summary.failed
                << " subject(s) failed (see failures in " << cfg.data.store_dir
                << "/manifest.json); rerun after fixing them to complete the store" << std::endl;
    return summary.failed > 0 ? 1 : 0;
  } catch (const std::exception& e) {
    world.abort("p2l-preprocess", e.what());
  }
}
