# shellcheck shell=bash
# Sourced by the slurm/*.sbatch scripts (as $P2L_SOURCE_DIR/slurm/job-steps.sh): where the
# executables are, how a job step is launched, how a preempted trainer is requeued, and which
# overrides an array task of a sweep adds. sbatch runs a copy of the script from its spool
# folder, so the checkout is found through P2L_SOURCE_DIR or the submit folder, not $0.

: "${P2L_SOURCE_DIR:=${SLURM_SUBMIT_DIR:-$PWD}}"
: "${P2L_BIN:=$P2L_SOURCE_DIR/build/bin}"
# OpenMPI 4 ranks started by srun need PMIx; set to "none" for executables without MPI.
: "${P2L_SRUN_MPI:=pmix}"
# The trainer's exit code for "preempted or out of time, checkpoint written: requeue me".
P2L_REQUEUE_EXIT=85
# A job that keeps exiting 85 is not requeued forever.
: "${P2L_MAX_REQUEUES:=50}"

p2l_log() { echo "[$(date +%FT%T)] ${SLURM_JOB_ID:+job $SLURM_JOB_ID: }$*" >&2; }

# The path of executable $1, or exit 2 with the reason.
p2l_exe() {
  local exe=$P2L_BIN/$1
  if [ ! -x "$exe" ]; then
    p2l_log "error: $exe: no such executable (build the project or set P2L_BIN)"
    exit 2
  fi
  echo "$exe"
}

# Fills the array P2L_TASK_OVERRIDES: for array task i of a sweep, "KEY=VALUE_i" and a
# run.output_dir of its own; nothing outside a sweep.
p2l_sweep_overrides() {
  P2L_TASK_OVERRIDES=()
  [ -n "${P2L_SWEEP_VALUES:-}" ] || return 0
  local values value
  read -r -a values <<<"$P2L_SWEEP_VALUES"
  if [ -z "${SLURM_ARRAY_TASK_ID:-}" ] || [ -z "${values[${SLURM_ARRAY_TASK_ID}]:-}" ]; then
    p2l_log "error: P2L_SWEEP_VALUES has ${#values[@]} values but array task is '${SLURM_ARRAY_TASK_ID:-none}'"
    exit 2
  fi
  value=${values[$SLURM_ARRAY_TASK_ID]}
  P2L_TASK_OVERRIDES=("$P2L_SWEEP_KEY=$value" "run.output_dir=$(p2l_sweep_run_dir "$value")")
}

# The run folder of one value of a sweep (report.sbatch reads the same names).
p2l_sweep_run_dir() { echo "$P2L_SWEEP_DIR/${P2L_SWEEP_KEY##*.}-$1"; }

# Runs executable $1 as one srun step over all tasks of the job with the remaining arguments
# (--config FILE key=value ...). CPU threads follow --cpus-per-task when it is given (the
# user's own run.threads, later on the line, wins); a sweep's overrides come last. Returns the
# step's exit code (srun's: the largest of its tasks).
p2l_step() {
  local exe threads=()
  exe=$(p2l_exe "$1") || exit 2
  shift
  [ -n "${SLURM_CPUS_PER_TASK:-}" ] && threads=("run.threads=$SLURM_CPUS_PER_TASK")
  p2l_sweep_overrides
  p2l_log "restart ${SLURM_RESTART_COUNT:-0}, ${SLURM_NTASKS:-1} tasks: $exe ${threads[*]} $* ${P2L_TASK_OVERRIDES[*]}"
  local rc=0
  srun --mpi="$P2L_SRUN_MPI" "$exe" "${threads[@]}" "$@" "${P2L_TASK_OVERRIDES[@]}" || rc=$?
  p2l_log "$(basename "$exe") exited with $rc"
  return "$rc"
}

# Puts this batch job back in the queue; Slurm stops this script and starts it again from the
# top (SLURM_RESTART_COUNT + 1) once resources are free, and the trainer resumes from "last".
p2l_requeue() {
  local restarts=${SLURM_RESTART_COUNT:-0}
  if [ "$restarts" -ge "$P2L_MAX_REQUEUES" ]; then
    p2l_log "error: not requeued, already restarted $restarts times (P2L_MAX_REQUEUES)"
    return 1
  fi
  # In an array the job id of one task can equal the array's id, which names every task:
  # requeue exactly this task.
  local job=$SLURM_JOB_ID
  [ -n "${SLURM_ARRAY_TASK_ID:-}" ] && job=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
  p2l_log "preempted with a checkpoint (exit $P2L_REQUEUE_EXIT): requeueing $job, restart $((restarts + 1))"
  if ! scontrol requeue "$job"; then
    p2l_log "error: scontrol requeue failed; submit the job again, training resumes from its checkpoint"
    return 1
  fi
}
