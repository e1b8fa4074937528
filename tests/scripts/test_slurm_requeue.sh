#!/usr/bin/env bash
# slurm/train.sbatch requeues a job whose training step exits 85 ("preempted, checkpointed"):
# the job runs again (SLURM_RESTART_COUNT 1), the trainer finds its checkpoint and the job
# completes; a step failing with another code fails the job without a requeue. In a p2l-sweep
# the array task of one point is requeued alone, and `p2l-sweep status` shows that point as
# requeued, then done.
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

# A sweep's training array: the point with patch fraction 0.125 is preempted once. Only its
# task is requeued, status shows it "requeued" in the meantime, and both points end done.
[ -x "$BUILD_DIR/bin/p2l-sweep" ] || { echo "SKIP: $BUILD_DIR/bin/p2l-sweep is not built"; exit 0; }
cp "$BUILD_DIR/bin/p2l-sweep" "$WORK/bin/"
cat >"$WORK/spec.yaml" <<YAML
dir: $WORK/sweep
config: $SOURCE_DIR/configs/default.yaml
cluster: $SOURCE_DIR/configs/cluster/local.yaml
overrides: [data.store_dir=$WORK/store, "eval.sources=[patch2loc]", "eval.fusion_pairs=[]"]
grid: {train.patch_fraction: [0.0625, 0.125]}
YAML
P2L_STANDIN_TRAIN=preempt-once P2L_STANDIN_PREEMPT_VALUE=0.125 "$WORK/bin/p2l-sweep" submit "$WORK/spec.yaml" \
  >"$WORK/submit.out" 2>&1 || { cat "$WORK/submit.out"; fail "p2l-sweep submit failed"; }
seen=""
for _ in $(seq 1 60); do
  status=$("$WORK/bin/p2l-sweep" status "$WORK/spec.yaml")
  grep -qE '^1 +patch_fraction-0.125 +0.125 +requeued \(train: restart 1\)' <<<"$status" && { seen=yes; break; }
  sleep 1
done
[ -n "$seen" ] || { echo "$status"; fail "status never showed the preempted point as requeued"; }
report=$(awk -F'\t' '$2 == "report" {print $3}' "$WORK/sweep/jobs.tsv")
state=$(wait_job "$report" 120) || fail "the sweep's report job did not end: $state"
status=$("$WORK/bin/p2l-sweep" status "$WORK/spec.yaml")
echo "$status"
[ "$(grep -cE '^[0-9]+ .*  done  ' <<<"$status")" = 2 ] || fail "not both points done after the requeue"
train=$(awk -F'\t' '$2 == "train" {print $3}' "$WORK/sweep/jobs.tsv")
scontrol show job "${train}_1" | grep -q 'Restarts=1 ' || fail "task 1 was not restarted once"
scontrol show job "${train}_0" | grep -q 'Restarts=0 ' || fail "task 0 was restarted too"
grep -q '^state=done job='"${train}"'_1 restart=1 rc=0 ' "$WORK/sweep/patch_fraction-0.125/sweep-status/p2l-train.status" \
  || fail "status file: $(cat "$WORK/sweep/patch_fraction-0.125/sweep-status/p2l-train.status")"
[ -f "$WORK/sweep/patch_fraction-0.125/resumed-rank0" ] || fail "the preempted point did not resume"
pass "a sweep point preempted with exit 85 shows as requeued, resumes alone and ends done"
