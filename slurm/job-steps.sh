# shellcheck shell=bash
# Sourced by the slurm/*.sbatch scripts (as $P2L_SOURCE_DIR/slurm/job-steps.sh): where the
# executables are, how a job step is launched, how a preempted trainer is requeued, and which
# config an array task of a p2l-sweep runs with. sbatch runs a copy of the script from its spool
# folder, so the checkout is found through P2L_SOURCE_DIR or the submit folder, not $0.

: "${P2L_SOURCE_DIR:=${SLURM_SUBMIT_DIR:-$PWD}}"
# Through a container image (docs/CONTAINER.md): P2L_CONTAINER_EXEC is the command that runs a
# program in it, put between srun and the executable on every task, for example
#   P2L_CONTAINER_EXEC="apptainer exec --nv --bind /scratch /shared/p2l.sif"
# P2L_SRUN_ARGS are more srun options for every step (Pyxis: --container-image=...). With
# either, the executables are the image's own unless P2L_BIN says otherwise. Both are split
# into words at spaces, and nothing in them is expanded as a file name (-e 'OMPI_*' stays so).
: "${P2L_CONTAINER_EXEC:=}"
: "${P2L_SRUN_ARGS:=}"
P2L_IMAGE_BIN=/opt/patch2loc/build/bin
p2l_in_pyxis() { [[ " $P2L_SRUN_ARGS" == *" --container-image"* ]]; }
if [ -n "$P2L_CONTAINER_EXEC" ] || p2l_in_pyxis; then
  : "${P2L_BIN:=$P2L_IMAGE_BIN}"
fi
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
  if [ -n "$P2L_CONTAINER_EXEC" ]; then
    local -
    set -f
    # shellcheck disable=SC2086  # a command line, split into words on purpose
    if ! $P2L_CONTAINER_EXEC test -x "$exe"; then
      p2l_log "error: $exe: no such executable in the container ($P2L_CONTAINER_EXEC)"
      exit 2
    fi
  elif ! p2l_in_pyxis && [ ! -x "$exe" ]; then  # Pyxis's image is seen by the step alone
    p2l_log "error: $exe: no such executable (build the project or set P2L_BIN)"
    exit 2
  fi
  echo "$exe"
}

# Jobs of a p2l-sweep (P2L_SWEEP_DIR set): array task i is point i of DIR/points.tsv
# ("index<TAB>folder" lines) and runs with that point's resolved config; every step records its
# state in a status file that `p2l-sweep status` reads (no accounting needed): the point's
# sweep-status/<exe>.status, or DIR/sweep-status/<exe>.status for the sweep's single jobs.
# Fills P2L_TASK_ARGS and P2L_STATUS_FILE; both empty outside a sweep.
p2l_sweep_task() {
  P2L_TASK_ARGS=()
  P2L_STATUS_FILE=""
  [ -n "${P2L_SWEEP_DIR:-}" ] || return 0
  local folder=$P2L_SWEEP_DIR
  if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
    folder=$(awk -F'\t' -v i="$SLURM_ARRAY_TASK_ID" '$1 == i {print $2}' "$P2L_SWEEP_DIR/points.tsv" 2>/dev/null)
    if [ -z "$folder" ]; then
      p2l_log "error: array task $SLURM_ARRAY_TASK_ID is not a point of $P2L_SWEEP_DIR/points.tsv"
      exit 2
    fi
    P2L_TASK_ARGS=(--config "$folder/config.yaml")
  fi
  P2L_STATUS_FILE=$folder/sweep-status/$1.status
}

# Writes "state=$1 ... rc=$2" to the sweep's status file (atomically), when in a sweep.
p2l_status() {
  [ -n "$P2L_STATUS_FILE" ] || return 0
  local job=${SLURM_JOB_ID:-none}
  [ -n "${SLURM_ARRAY_TASK_ID:-}" ] && job=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
  mkdir -p "$(dirname "$P2L_STATUS_FILE")" &&
    echo "state=$1 job=$job restart=${SLURM_RESTART_COUNT:-0} rc=$2 time=$(date +%FT%T)" >"$P2L_STATUS_FILE.tmp.$$" &&
    mv "$P2L_STATUS_FILE.tmp.$$" "$P2L_STATUS_FILE"
}

# Runs executable $1 as one srun step over all tasks of the job with the remaining arguments
# (--config FILE key=value ...). CPU threads follow --cpus-per-task when it is given (the
# user's own run.threads, later on the line, wins); a sweep point's config comes last. Returns
# the step's exit code (srun's: the largest of its tasks), recorded in the sweep's status file.
p2l_step() {
  local exe threads=()
  exe=$(p2l_exe "$1") || exit 2
  shift
  [ -n "${SLURM_CPUS_PER_TASK:-}" ] && threads=("run.threads=$SLURM_CPUS_PER_TASK")
  p2l_sweep_task "$(basename "$exe")"
  p2l_log "restart ${SLURM_RESTART_COUNT:-0}, ${SLURM_NTASKS:-1} tasks:${P2L_SRUN_ARGS:+ $P2L_SRUN_ARGS}${P2L_CONTAINER_EXEC:+ $P2L_CONTAINER_EXEC} $exe ${threads[*]} $* ${P2L_TASK_ARGS[*]}"
  # The image has no Slurm client to expand the node list with (the trainers' rendezvous does
  # when MASTER_ADDR is unset): name the first node here, where scontrol is.
  if { [ -n "$P2L_CONTAINER_EXEC" ] || p2l_in_pyxis; } && [ -z "${MASTER_ADDR:-}" ] && [ -n "${SLURM_JOB_NODELIST:-}" ]; then
    MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -1)
    export MASTER_ADDR
  fi
  p2l_status running 0
  local rc=0
  local -
  set -f
  # shellcheck disable=SC2086  # P2L_SRUN_ARGS and P2L_CONTAINER_EXEC: split into words on purpose
  srun --mpi="$P2L_SRUN_MPI" $P2L_SRUN_ARGS $P2L_CONTAINER_EXEC "$exe" "${threads[@]}" "$@" "${P2L_TASK_ARGS[@]}" || rc=$?
  p2l_log "$(basename "$exe") exited with $rc"
  case $rc in
    0) p2l_status "done" 0 ;;
    "$P2L_REQUEUE_EXIT") p2l_status requeued "$rc" ;;
    *) p2l_status failed "$rc" ;;
  esac
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
