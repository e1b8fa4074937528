#!/usr/bin/env bash
# slurm/train.sbatch requeues a job whose training step exits 85 ("preempted, checkpointed"):
# the job runs again (SLURM_RESTART_COUNT 1), the trainer finds its checkpoint and the job
# completes; a step failing with another code fails the job without a requeue.
# The trainer is a stand-in with the real command line (the real one may not be built).
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
start_cluster
make_stand_ins "$WORK/bin"
export P2L_BIN=$WORK/bin P2L_SOURCE_DIR=$SOURCE_DIR

cd "$WORK" || fail "cannot enter $WORK"
run=$WORK/run
id=$(P2L_STANDIN_TRAIN=preempt-once sbatch --parsable --output="$WORK/train.out" \
  "$SOURCE_DIR/slurm/train.sbatch" --config none.yaml run.output_dir="$run" train.steps=10) \
  || fail "sbatch train.sbatch failed"
state=$(wait_job "$id" 90) || fail "job $id did not end: $state"
cat "$WORK/train.out"
[ "$state" = COMPLETED ] || fail "job $id ended $state"
scontrol show job "$id" | grep -q 'Restarts=1 ' || fail "job $id was not restarted exactly once: $(scontrol show job "$id" | grep -o 'Restarts=[0-9]*')"
for rank in 0 1; do
  grep -q '^restart 0 rank '"$rank"' of 2 ' "$run/train-rank$rank.log" || fail "rank $rank did not run first"
  grep -q '^restart 1 rank '"$rank"' of 2 ' "$run/train-rank$rank.log" || fail "rank $rank did not run after the requeue"
  grep -q 'resumed from step 10 restart 0' "$run/resumed-rank$rank" || fail "rank $rank did not resume from the checkpoint"
done
grep -q -- '--config none.yaml run.output_dir=' "$run/train-rank0.log" || fail "arguments not passed through: $(head -1 "$run/train-rank0.log")"
grep -q "requeueing $id, restart 1" "$WORK/train.out" || fail "the batch log does not show the requeue"
pass "exit 85 requeued job $id, which resumed and completed"

# Any other exit code is final: here the step cannot start (no executable, exit 2).
id=$(P2L_BIN=$WORK/nowhere sbatch --parsable --output="$WORK/bad.out" \
  "$SOURCE_DIR/slurm/train.sbatch" run.output_dir="$WORK/bad") || fail "sbatch failed"
state=$(wait_job "$id" 60) || fail "job $id did not end: $state"
[ "$state" = FAILED ] || fail "job without executable ended $state"
scontrol show job "$id" | grep -q 'Restarts=0 ' || fail "a failed job was requeued"
grep -q "$WORK/nowhere/p2l-train: no such executable" "$WORK/bad.out" || fail "no clear error: $(cat "$WORK/bad.out")"
pass "a missing executable fails the job with a clear message and no requeue"
