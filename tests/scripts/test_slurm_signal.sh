#!/usr/bin/env bash
# The pre-timeout signal of slurm/train.sbatch reaches the training ranks: with a 1-minute
# limit and --signal=USR1@50, Slurm sends USR1 well before the kill; the stand-in trainer's
# handler "checkpoints" and exits 85, the job is requeued and then completes from the checkpoint.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
start_cluster
make_stand_ins "$WORK/bin"
export P2L_BIN=$WORK/bin P2L_SOURCE_DIR=$SOURCE_DIR

cd "$WORK" || fail "cannot enter $WORK"
run=$WORK/run
start=$SECONDS
id=$(P2L_STANDIN_TRAIN=wait-signal sbatch --parsable --time=1 --signal=USR1@50 \
  --output="$WORK/train.out" "$SOURCE_DIR/slurm/train.sbatch" run.output_dir="$run") \
  || fail "sbatch train.sbatch failed"
state=$(wait_job "$id" 110) || fail "job $id did not end: $state"
cat "$WORK/train.out"
echo "job $id took $((SECONDS - start)) s"
[ "$state" = COMPLETED ] || fail "job $id ended $state"
for rank in 0 1; do
  grep -q 'USR1 at restart 0' "$run/signal-rank$rank" 2>/dev/null || fail "rank $rank did not run its USR1 handler"
  grep -q 'resumed from step 10 restart 0' "$run/resumed-rank$rank" || fail "rank $rank did not resume"
done
scontrol show job "$id" | grep -q 'Restarts=1 ' || fail "job $id not restarted once"
grep -q 'TIME LIMIT' "$WORK/train.out" && fail "the job hit its time limit instead of checkpointing first"
pass "USR1 before the time limit: handler ran on both ranks, job requeued and completed"
