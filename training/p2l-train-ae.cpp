// p2l-train-ae: trains the convolutional slice autoencoder baseline (ae.* keys) on the healthy
// training split of the store, on one process or many (mpirun, srun, or
// RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT), with the same runtime as p2l-train. Writes
// run.output_dir/ae/checkpoints/{best,last}.pt and logs; resumes from last.pt. Exit codes:
// 0 done, 1 error, 85 preempted (SIGTERM/SIGUSR1; requeue to resume).
#include <torch/torch.h>

#include <iostream>

#include "baseline/AutoencoderTrainer.hpp"
#include "config/Config.hpp"
#include "config/RunLayout.hpp"
#include "dist/Communicator.hpp"
#include "dist/Rendezvous.hpp"
#include "train/PreemptionSignal.hpp"

int main(int argc, char** argv) {
  int rank = 0;
  try {
    p2l::Config cfg = p2l::parse_command_line(
        argc, argv, "p2l-train-ae",
        "Trains the slice autoencoder baseline (ae.*) on data.train_split of the store at data.store_dir, "
        "validating on data.val_split; writes run.output_dir/ae/checkpoints/{best,last}.pt and logs. "
        "Resumes from last.pt when it exists. Exit code 85: preempted by SIGTERM/SIGUSR1, requeue.");
    p2l::PreemptionSignal::install();
    rank = p2l::rank_from_environment().rank;  // for the error message, before the rendezvous
    auto comm = p2l::join_training_ranks(cfg.run, cfg.train);
    std::string warning;
    p2l::TrainingData data = p2l::load_training_data(cfg, *comm, warning);
    if (!warning.empty()) std::cerr << "p2l-train-ae (rank " << rank << "): warning: " << warning << std::endl;
    if (const std::string line = p2l::node_slices_line(data, *comm); !line.empty())
      std::cerr << "p2l-train-ae: " << line << std::endl;
    p2l::AutoencoderTrainer trainer(cfg, *comm, std::move(data));
    p2l::TrainOutcome out = trainer.run();
    if (rank == 0)
      std::cerr << "p2l-train-ae: " << (out.preempted ? "preempted" : "finished") << " at step " << out.step
                << "; best validation loss " << out.best_val_loss << "; checkpoints in "
                << p2l::RunLayout(cfg).ae().checkpoint_dir() << std::endl;
    return out.preempted ? p2l::kPreemptedExitCode : 0;
  } catch (const std::exception& e) {
    std::cerr << "p2l-train-ae (rank " << rank << "): error: " << e.what() << std::endl;
    return 1;
  }
}
