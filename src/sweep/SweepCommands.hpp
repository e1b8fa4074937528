#pragma once
// The subcommands of p2l-sweep (plan, submit, status, report, nightly); the executable in
// slurm/ is a thin front end over run_sweep_command.
namespace p2l {

// Returns the exit code: 0 ok, 1 a regression (nightly) or a failed step, 2 bad usage or input.
int run_sweep_command(int argc, char** argv);

}  // namespace p2l
