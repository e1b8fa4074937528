#!/usr/bin/env bash
# p2l-sweep on the local Slurm cluster with the real executables and a tiny cohort: a 2 x 2
# grid (train.lr x train.patch_fraction) goes through preprocess -> train array and one shared
# autoencoder job -> evaluate array -> report; one point's training is made to fail (its checkpoint
# folder is blocked by a file) and shows as failed in `status` while the other three finish
# and the table lists it as failed; a resubmission after the fix reruns only that point.
# Then `nightly` twice on the unchanged checkpoints reports no regression, and with one metric
# of a point's results_summary.csv perturbed it flags exactly that metric and exits 1.
# `plan` rejects an unknown key with a suggestion; `submit --dry-run` submits nothing.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
export P2L_BIN=$BUILD_DIR/bin P2L_SOURCE_DIR=$SOURCE_DIR
for exe in p2l-make-cohort p2l-preprocess p2l-train p2l-train-ae p2l-evaluate p2l-sweep; do
  if [ ! -x "$P2L_BIN/$exe" ]; then
    echo "SKIP: $P2L_BIN/$exe is not built"
    exit 0
  fi
done
sweep=$P2L_BIN/p2l-sweep
cd "$WORK" || fail "cannot enter $WORK"

# plan: an unknown key fails with a suggestion and writes nothing.
cat >"$WORK/typo.yaml" <<YAML
dir: $WORK/typo
config: $SOURCE_DIR/configs/default.yaml
grid: {train.lrr: [1e-2, 1e-3]}
YAML
out=$("$sweep" plan "$WORK/typo.yaml" 2>&1) && fail "plan accepted train.lrr: $out"
grep -q "unknown config key 'train.lrr' (did you mean 'train.lr'?)" <<<"$out" || fail "plan said: $out"
[ ! -e "$WORK/typo" ] || fail "a rejected plan wrote $WORK/typo"
sed -i 's/train.lrr: \[1e-2, 1e-3\]/train.lr: [1e-2, 70]/' "$WORK/typo.yaml"
out=$("$sweep" plan "$WORK/typo.yaml" 2>&1) && fail "plan accepted train.lr=70: $out"
grep -q "train.lr" <<<"$out" || fail "out-of-range error does not name the key: $out"
pass "plan rejects an unknown key (with a suggestion) and an out-of-range value"

start_cluster
make_tiny_sweep_cohort

spec=$WORK/grid.yaml
tiny_sweep_spec "$spec" "grid:" "  train.lr: [1e-2, 1e-3]" "  train.patch_fraction: [0.125, 0.25]" \
  "nightly: {tolerance: 0.01, keep: 2}"

out=$("$sweep" submit "$spec" --dry-run) || fail "dry run failed: $out"
echo "$out"
[ "$(grep -c '^[a-z-]* <[a-z-]*>: .*sbatch' <<<"$out")" = 5 ] || fail "dry run did not print 5 sbatch commands"
grep -q -- "--dependency=aftercorr:<train>,afterok:<train-ae>" <<<"$out" || fail "evaluation does not wait per point and for the autoencoder"
grep -qE -- "train-ae <train-ae>: .* --config $WORK/sweep/shared/config.yaml$" <<<"$out" || fail "the autoencoder is not one shared job"
grep -q -- "--dependency=afterany:<evaluate>" <<<"$out" || fail "the report does not wait for every evaluation"
grep -q -- "--partition=local" <<<"$out" || fail "the cluster profile's partition is missing"
[ ! -e "$WORK/sweep/jobs.tsv" ] && [ -z "$(squeue -h)" ] || fail "the dry run submitted something"
pass "submit --dry-run prints the chained sbatch commands and submits nothing"

"$sweep" plan "$spec" || fail "plan failed"
blocked=$WORK/sweep/lr-1e-3_patch_fraction-0.25
[ -f "$blocked/config.yaml" ] || fail "plan wrote no $blocked/config.yaml: $(ls "$WORK/sweep")"
grep -q '^  lr: 0.001 ' "$blocked/config.yaml" || fail "the point's config lacks its lr"
touch "$blocked/checkpoints"  # training cannot create its checkpoint folder
"$sweep" submit "$spec" || fail "submit failed"
# The report waits for every evaluation, and status says why.
"$sweep" status "$spec" | grep -qE '; report pending \(job [0-9]+\): Dependency$' \
  || fail "status does not show the report pending on its dependency: $("$sweep" status "$spec")"
report_job=$(awk -F'\t' '$2 == "report" {print $3}' "$WORK/sweep/jobs.tsv" | tail -1)
state=$(wait_job "$report_job" 600) || { "$sweep" status "$spec"; fail "the report job did not end: $state"; }
status=$("$sweep" status "$spec")
echo "$status"
[ "$state" = COMPLETED ] || { tail -n 20 "$WORK"/sweep/logs/p2l-report-*; fail "report job ended $state"; }
[ "$(grep -cE '^[0-9]+ .*  done  ' <<<"$status")" = 3 ] || fail "status does not show 3 points done"
grep -E '^3 +lr-1e-3_patch_fraction-0.25 .*failed \(train: exit [1-9]' <<<"$status" || fail "status does not show point 3 failed"
grep -qE '^0 +lr-1e-2_patch_fraction-0.125 +1e-2 +0.125 +done +train [0-9]+_0, train-ae [0-9]+, evaluate [0-9]+_0 +4/4 +[0-9.]+$' <<<"$status" \
  || fail "status lacks point 0's values, jobs, last step 4 and best validation error"
table=$WORK/sweep/report/sweep_table.md
cat "$table"
grep -q '^| point | `train.lr` | `train.patch_fraction` | state | tumor Dice | tumor AUPRC |$' "$table" || fail "table header"
[ "$(grep -c '^| lr-' "$table")" = 4 ] || fail "the table does not have 4 rows"
grep -qE '^\| lr-1e-3_patch_fraction-0.25 \| 1e-3 \| 0.25 \| failed \(train' "$table" || fail "the failed point is not listed as failed"
grep -qE '^\| lr-1e-2_patch_fraction-0.25 \| 1e-2 \| 0.25 \| done \| [0-9]\.[0-9]{3} \| [0-9]\.[0-9]{3} \|$' "$table" || fail "a done point lacks Dice/AUPRC"
[ "$(wc -l <"$WORK/sweep/report/sweep_table.csv")" = 5 ] || fail "sweep_table.csv does not have 4 rows"
grep -q 'lr-1e-2_patch_fraction-0.125' "$WORK/sweep/report/index.html" || fail "index.html lacks the table"
pass "2 x 2 grid: 3 points trained, evaluated and tabulated, the failed one listed as failed"

# Resubmission after the fix: only the failed point's training and evaluation, nothing else.
rm "$blocked/checkpoints"
lines=$(wc -l <"$WORK/sweep/jobs.tsv")
"$sweep" submit "$spec" || fail "resubmit failed"
new=$(tail -n +$((lines + 1)) "$WORK/sweep/jobs.tsv" | awk -F'\t' '{print $2 ":" $4}' | tr '\n' ' ')
[ "$new" = "train:3 evaluate:3 report:- " ] || fail "the resubmission submitted: $new"
report_job=$(awk -F'\t' '$2 == "report" {print $3}' "$WORK/sweep/jobs.tsv" | tail -1)
state=$(wait_job "$report_job" 300) || fail "the second report job did not end: $state"
status=$("$sweep" status "$spec")
echo "$status"
[ "$(grep -cE '^[0-9]+ .*  done  ' <<<"$status")" = 4 ] || fail "after the resubmission not every point is done"
[ "$(grep -c '^| lr-.* | done |' "$table")" = 4 ] || fail "the table does not show 4 done points"
out=$("$sweep" submit "$spec") || fail "a third submit failed"
grep -q "nothing to submit" <<<"$out" || fail "a finished sweep was resubmitted: $out"
pass "resubmission reran only the failed point; a finished sweep submits nothing"

# Nightly: re-evaluate, regenerate, compare with the previous night.
export P2L_SWEEP_POLL=2
out=$("$sweep" nightly "$spec" 2>&1) || fail "first nightly exited $?: $out"
grep -q "no previous table" <<<"$out" || fail "first nightly: $out"
out=$("$sweep" nightly "$spec" 2>&1) || { echo "$out"; fail "nightly on unchanged checkpoints exited non-zero"; }
grep -q "No metric moved by more than the tolerance" "$WORK/sweep/regression.md" || fail "regression.md: $(cat "$WORK/sweep/regression.md")"
[ "$(tail -n 5 "$WORK/sweep/jobs.tsv" | awk -F'\t' '{print $2}' | tr '\n' ' ')" = "report evaluate report evaluate report " ] \
  || fail "nightly submitted more than evaluations and the report"
pass "nightly on unchanged checkpoints reports no regression"

# A perturbed metric file: point 0's tumour Dice in its results_summary.csv is halved;
# the comparison of the current results with last night's flags exactly that metric.
summary=$WORK/sweep/lr-1e-2_patch_fraction-0.125/report/results_summary.csv
python3 - "$summary" <<'PY' || fail "cannot perturb $summary"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
h = rows[0]
hit = 0
for r in rows[1:]:
    if r[h.index("method_id")] == rows[1][h.index("method_id")] and r[h.index("threshold_rule_id")] == "validation_dice" \
            and r[h.index("set")] == "tumor" and r[h.index("metric")] == "dice":
        old = float(r[h.index("mean")])
        assert old > 0.05, old  # so that half of it is beyond the tolerance of 0.01
        r[h.index("mean")] = str(old / 2)
        hit += 1
assert hit == 1, hit
csv.writer(open(sys.argv[1], "w"), lineterminator="\n").writerows(rows)
PY
"$sweep" nightly "$spec" --compare-only >"$WORK/nightly3.log" 2>&1 && fail "a worse metric did not fail nightly"
cat "$WORK/sweep/regression.md"
grep -q '^\*\*1 regression\*\*, 1 change beyond the tolerance' "$WORK/sweep/regression.md" || fail "not exactly one change flagged"
grep -qE '^\| lr-1e-2_patch_fraction-0.125 \| .* \| tumor dice \| [0-9.]+ \| [0-9.]+ \| -[0-9.]+ \| \*\*worse\*\* \|$' "$WORK/sweep/regression.md" \
  || fail "the flagged metric is not point 0's tumor dice"
[ "$(ls -d "$WORK"/sweep/nightly/*/ | wc -l)" = 2 ] || fail "nightly.keep=2 kept $(ls "$WORK/sweep/nightly")"
pass "a perturbed metric is flagged alone, nightly exits 1, the last 2 tables are kept"
