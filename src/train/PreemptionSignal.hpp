#pragma once
// SIGTERM and SIGUSR1 (what Slurm sends before a time limit or a preemption) only set a flag;
// the trainer checks it at the end of each step, all ranks agree, write "last" and exit with
// kPreemptedExitCode, which the Slurm layer requeues on (docs/TRAINING.md).

namespace p2l {

constexpr int kPreemptedExitCode = 85;

class PreemptionSignal {
 public:
  // Installs the handlers for SIGTERM and SIGUSR1 (idempotent).
  static void install();
  static bool requested();
  // Sets or clears the flag as a signal would (tests, and a step limit from the caller).
  static void request();
  static void clear();
};

}  // namespace p2l
