#!/usr/bin/env bash
# slurm/sweep.sh submits preprocess -> train array over patch fractions -> evaluate array ->
# report as afterok-dependent jobs: every stage runs after the one before, each fraction trains
# into its own run folder (one of them preempted and requeued on the way), and the report
# gathers the per-run reports in order. slurm/nightly.sh then regenerates the evaluation and
# the report without retraining, and a failing stage cancels the stages after it.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
start_cluster
make_stand_ins "$WORK/bin"
export P2L_BIN=$WORK/bin
cd "$WORK" || fail "cannot enter $WORK"
sweep=$WORK/sweep
config=(--config none.yaml data.store_dir="$WORK/store" train.steps=10)

P2L_STANDIN_TRAIN=preempt-once P2L_STANDIN_PREEMPT_VALUE=0.125 \
  "$SOURCE_DIR/slurm/sweep.sh" --values "0.0625 0.125" --dir "$sweep" -- "${config[@]}" \
  || fail "sweep.sh failed"
mapfile -t stages < <(awk '{print $1}' "$sweep/jobs.txt")
[ "${stages[*]}" = "preprocess train evaluate report" ] || fail "jobs.txt lists: ${stages[*]}"
report_id=$(awk '$1 == "report" {print $2}' "$sweep/jobs.txt")
train_id=$(awk '$1 == "train" {print $2}' "$sweep/jobs.txt")
state=$(wait_job "$report_id" 110) || fail "the report job did not end: $state"
for job in $(awk '{print $2}' "$sweep/jobs.txt"); do
  echo "job $job: $(job_state "$job")"
done
[ "$state" = COMPLETED ] || { tail -n 5 "$sweep"/logs/*; fail "report job ended $state"; }
[ "$(job_state "$train_id")" = COMPLETED ] || fail "train array: $(job_state "$train_id")"

for rank in 0 1; do
  grep -q "rank $rank of 2 " "$WORK/store/rank$rank.done" || fail "preprocess rank $rank missing"
done
for pf in 0.0625 0.125; do
  run=$sweep/patch_fraction-$pf
  grep -q "pf $pf args: run.threads=1 --config none.yaml data.store_dir=$WORK/store train.steps=10 train.patch_fraction=$pf run.output_dir=$run" \
    "$run/train-rank0.log" || fail "run $pf trained with: $(cat "$run/train-rank0.log")"
  [ -f "$run/report/report.md" ] || fail "run $pf was not evaluated"
done
[ -f "$sweep/patch_fraction-0.125/resumed-rank0" ] || fail "the preempted fraction was not requeued and resumed"
[ -f "$sweep/patch_fraction-0.0625/resumed-rank0" ] && fail "the fraction that was not preempted restarted"
pass "preprocess, train array (one requeue), evaluate array and report ran in order"

# The report: one section per value in order, headings demoted, figure links into the runs.
grep -n '^## ' "$sweep/report.md" | grep -q '`train.patch_fraction=0.0625`' || fail "report lacks 0.0625"
order=$(grep -o '^## `train.patch_fraction=[0-9.]*`' "$sweep/report.md" | tr '\n' ' ')
[ "$order" = '## `train.patch_fraction=0.0625` ## `train.patch_fraction=0.125` ' ] || fail "report sections: $order"
grep -q '^| tumor | 0.125 |$' "$sweep/report.md" || fail "report lacks the 0.125 table row"
grep -q '^### Report$' "$sweep/report.md" || fail "run headings not demoted"
grep -q '](patch_fraction-0.0625/report/fig.png)' "$sweep/report.md" || fail "figure links not rewritten"
pass "report.md gathers both runs in order"

# Nightly: evaluate and report again from the checkpoints, no training job.
rm "$sweep"/patch_fraction-*/report/report.md "$sweep/report.md"
train_lines=$(cat "$sweep"/patch_fraction-*/train-rank0.log | wc -l)
"$SOURCE_DIR/slurm/nightly.sh" --values "0.0625 0.125" --dir "$sweep" -- "${config[@]}" \
  || fail "nightly.sh failed"
[ "$(awk '{print $1}' "$sweep/jobs.txt" | tr '\n' ' ')" = "evaluate report " ] \
  || fail "nightly submitted: $(cat "$sweep/jobs.txt")"
state=$(wait_job "$(awk '$1 == "report" {print $2}' "$sweep/jobs.txt")" 60) || fail "nightly report: $state"
[ "$state" = COMPLETED ] || fail "nightly report ended $state"
[ -f "$sweep/report.md" ] && [ -f "$sweep/patch_fraction-0.125/report/report.md" ] || fail "nightly did not regenerate the reports"
[ "$(cat "$sweep"/patch_fraction-*/train-rank0.log | wc -l)" = "$train_lines" ] || fail "nightly retrained"
pass "nightly.sh regenerated the evaluation and the report without training"

# A failing stage cancels the rest: evaluating runs that have no checkpoint.
"$SOURCE_DIR/slurm/sweep.sh" --from evaluate --values "0.5" --dir "$WORK/empty" -- "${config[@]}" \
  || fail "sweep.sh --from evaluate failed"
eval_id=$(awk '$1 == "evaluate" {print $2}' "$WORK/empty/jobs.txt")
report_id=$(awk '$1 == "report" {print $2}' "$WORK/empty/jobs.txt")
state=$(wait_job "$eval_id" 60) || fail "evaluate did not end: $state"
[ "$state" = FAILED ] || fail "evaluate without checkpoint ended $state"
state=$(wait_job "$report_id" 30) || fail "the report after a failed evaluation did not end: $state"
[ "$state" = CANCELLED ] || fail "report after a failed evaluation ended $state"
pass "a failed evaluation cancels the report"
