// Hyperparameter sweeps and overnight tables on Slurm (docs/SLURM.md); the work is in src/sweep.
#include "sweep/SweepCommands.hpp"

int main(int argc, char** argv) { return p2l::run_sweep_command(argc, argv); }
