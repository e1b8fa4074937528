// p2l-train: trains Patch2Loc on the preprocessed store, on one process or many (mpirun, srun,
// or RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT). Exit codes: 0 done, 1 error, 85 preempted
// (SIGTERM/SIGUSR1; "last" was written, requeue to resume). See docs/TRAINING.md.
#include <torch/torch.h>

#include <iostream>

#include "config/Config.hpp"
#include "config/RunLayout.hpp"
#include "dist/Communicator.hpp"
#include "dist/Rendezvous.hpp"
#include "train/PreemptionSignal.hpp"
#include "train/Trainer.hpp"

int main(int argc, char** argv) {
  int rank = 0;
  try {
    p2l::Config cfg = p2l::parse_command_line(
        argc, argv, "p2l-train",
        "Trains the Patch2Loc network on data.train_split of the store at data.store_dir, "
        "validating on data.val_split; writes run.output_dir/checkpoints/{best,last}.pt and logs. "
        "Resumes from last.pt when it exists. Exit code 85: preempted by SIGTERM/SIGUSR1, requeue.");
    p2l::PreemptionSignal::install();  // before the slow start-up, so an early signal is kept
    rank = p2l::rank_from_environment().rank;  // for the error message, before the rendezvous
    auto comm = p2l::join_training_ranks(cfg.run, cfg.train);
    std::string warning;
    p2l::TrainingData data = p2l::load_training_data(cfg, *comm, warning);
    if (!warning.empty()) std::cerr << "p2l-train (rank " << rank << "): warning: " << warning << std::endl;
    if (const std::string line = p2l::node_slices_line(data, *comm); !line.empty())
      std::cerr << "p2l-train: " << line << std::endl;
    p2l::Trainer trainer(cfg, *comm, std::move(data));
    p2l::TrainOutcome out = trainer.run();
    if (rank == 0)
      std::cerr << "p2l-train: " << (out.preempted ? "preempted" : "finished") << " at step "
                << out.step << "; best validation loss " << out.best_val_loss << "; checkpoints in "
                << p2l::RunLayout(cfg).checkpoint_dir() << std::endl;
    return out.preempted ? p2l::kPreemptedExitCode : 0;
  } catch (const std::exception& e) {
    std::cerr << "p2l-train (rank " << rank << "): error: " << e.what() << std::endl;
    return 1;
  }
}
