#!/usr/bin/env bash
# p2l-sweep's `fuse` on the local Slurm cluster with the real executables and a tiny cohort: a
# 2-point patch-size sweep (train.patch_fraction 0.125 and 0.25) goes through preprocess ->
# train array and one shared autoencoder -> evaluate array, and one `fuse` job evaluates both
# checkpoints together (p2l-evaluate with eval.scales = the sweep folder) after both trainings
# succeeded; the report waits for it and the table gains a "fused: multiscale_<rule>" row per
# rule. `plan` refuses fuse when the points do not differ in patch size; `submit --dry-run`
# shows the fuse job's dependencies; a finished sweep submits nothing (the done fuse is
# skipped); the nightly comparison keeps the fused rows.
# Exits 77 (skipped) when the executables are not built.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
export P2L_BIN=$BUILD_DIR/bin P2L_SOURCE_DIR=$SOURCE_DIR
for exe in p2l-make-cohort p2l-preprocess p2l-train p2l-train-ae p2l-evaluate p2l-sweep; do
  if [ ! -x "$P2L_BIN/$exe" ]; then
    echo "SKIP: $P2L_BIN/$exe is not built"
    exit 77
  fi
done
sweep=$P2L_BIN/p2l-sweep
cd "$WORK" || fail "cannot enter $WORK"

# plan: fuse over points of one patch size is refused, naming the spec and the points, and
# writes nothing.
cat >"$WORK/same-size.yaml" <<YAML
dir: $WORK/same-size
config: $SOURCE_DIR/configs/default.yaml
grid: {train.lr: [1e-2, 1e-3]}
fuse: true
YAML
out=$("$sweep" plan "$WORK/same-size.yaml" 2>&1) && fail "plan accepted fuse over one patch size: $out"
grep -qF "$WORK/same-size.yaml: fuse: points 'lr-1e-2' and 'lr-1e-3' both have train.patch_fraction 0.125" <<<"$out" \
  || fail "plan said: $out"
[ ! -e "$WORK/same-size" ] || fail "a rejected plan wrote $WORK/same-size"
pass "plan refuses fuse when the points share a patch size"

start_cluster
make_tiny_sweep_cohort

spec=$WORK/scales.yaml
tiny_sweep_spec "$spec" "grid:" "  train.patch_fraction: [0.125, 0.25]" "fuse: {reference: patch_fraction-0.125}" \
  "nightly: {tolerance: 0.01, keep: 2}"

out=$("$sweep" submit "$spec" --dry-run) || fail "dry run failed: $out"
echo "$out"
[ "$(grep -c '^[a-z-]* <[a-z-]*>: .*sbatch' <<<"$out")" = 6 ] || fail "dry run did not print 6 sbatch commands"
fuse_line=$(grep '^fuse <fuse>: ' <<<"$out") || fail "the dry run has no fuse job"
grep -qF -- "'--dependency=afterok:<train>:<train-ae>'" <<<"$fuse_line" || fail "fuse does not wait for every training: $fuse_line"
grep -qE -- " --job-name=p2l-fuse .*/slurm/evaluate.sbatch --config $WORK/sweep/fused/config.yaml$" <<<"$fuse_line" \
  || fail "fuse is not one evaluate.sbatch job with the fused config: $fuse_line"
grep -q -- "--array" <<<"$fuse_line" && fail "fuse is an array: $fuse_line"
grep -qF -- "'--dependency=afterany:<evaluate>:<fuse>'" <<<"$out" || fail "the report does not wait for the fuse job"
[ ! -e "$WORK/sweep/jobs.tsv" ] && [ -z "$(squeue -h)" ] || fail "the dry run submitted something"
pass "submit --dry-run: one fuse job after both trainings, the report after it"

"$sweep" plan "$spec" | grep -qF "reference scale patch_fraction-0.125: $WORK/sweep/fused/config.yaml" || fail "plan did not write the fused config"
fused_cfg=$WORK/sweep/fused/config.yaml
grep -qF "  checkpoint: \"$WORK/sweep/patch_fraction-0.125/checkpoints/best.pt\"" "$fused_cfg" \
  || fail "the fused config's eval.checkpoint is not the reference point's best: $(grep '  checkpoint:' "$fused_cfg")"
grep -qF "  output_dir: \"$WORK/sweep/fused\"" "$fused_cfg" || fail "the fused config's run.output_dir is not DIR/fused"
grep -qF "  output_subdir: \"../shared/ae\"" "$fused_cfg" || fail "the fused config does not read the shared autoencoder"

"$sweep" submit "$spec" || fail "submit failed"
# The fused evaluation waits for the trainings, and status says so.
"$sweep" status "$spec" | grep -qE '; fuse pending \(job [0-9]+\): Dependency; report pending \(job [0-9]+\): Dependency$' \
  || fail "status does not show fuse and report pending on their dependencies: $("$sweep" status "$spec")"
report_job=$(awk -F'\t' '$2 == "report" {print $3}' "$WORK/sweep/jobs.tsv" | tail -1)
fuse_job=$(awk -F'\t' '$2 == "fuse" && $4 == "-" {print $3}' "$WORK/sweep/jobs.tsv" | tail -1)
[ -n "$fuse_job" ] || fail "jobs.tsv has no single fuse job: $(cat "$WORK/sweep/jobs.tsv")"
state=$(wait_job "$report_job" 600) || { "$sweep" status "$spec"; fail "the report job did not end: $state"; }
status=$("$sweep" status "$spec")
echo "$status"
[ "$state" = COMPLETED ] || { tail -n 20 "$WORK"/sweep/logs/p2l-report-*; fail "report job ended $state"; }
grep -qE "^2 of 2 points done, 0 queued, 0 failed or cancelled; preprocess done \(job [0-9]+\); fuse done \(job $fuse_job\); report done \(job $report_job\)$" <<<"$status" \
  || { tail -n 30 "$WORK/sweep/logs/p2l-fuse-$fuse_job.out"; fail "status does not show both points, the fuse and the report done"; }
grep -q '^state=done ' "$WORK/sweep/sweep-status/p2l-evaluate.status" || fail "the fuse job wrote no done status"
grep -q "p2l-evaluate exited with 0" "$WORK/sweep/logs/p2l-fuse-$fuse_job.out" || fail "the fuse job's log lacks its evaluation"
[ -d "$WORK/sweep/fused/scales/patch2loc@0.25" ] || fail "the fused evaluation did not evaluate the 0.25 scale: $(ls "$WORK/sweep/fused")"
summary=$WORK/sweep/fused/report/results_summary.csv
grep -q 'multiscale_fisher' "$summary" || fail "the fused evaluation's summary has no multi-scale rows"
pass "the fuse job evaluated both checkpoints together after both trainings"

table=$WORK/sweep/report/sweep_table.md
cat "$table"
grep -q '^### Fused scales (`fused`: every point' "$table" || fail "the table has no fused section"
[ "$(grep -cE '^\| patch_fraction-0\.(125|25) \| 0\.(125|25) \| done \| [0-9]\.[0-9]{3} \| [0-9]\.[0-9]{3} \|$' "$table")" = 2 ] \
  || fail "the table does not have both points with Dice and AUPRC"
for rule in mean_z mean_voxel_z max_z fisher; do
  grep -qE "^\| fused: multiscale_$rule \| 0\.125\+0\.25 \| done \| [0-9]\.[0-9]{3} \| [0-9]\.[0-9]{3} \|$" "$table" \
    || fail "the table lacks the fused row of $rule"
done
[ "$(grep -c '^"fused",' "$WORK/sweep/report/sweep_table.csv")" = 4 ] || fail "sweep_table.csv does not have the 4 fused rows"
grep -q 'fused: multiscale_fisher' "$WORK/sweep/report/index.html" || fail "index.html lacks the fused rows"
pass "the sweep table has a fused row per multi-scale rule"

out=$("$sweep" submit "$spec") || fail "a second submit failed"
grep -q "nothing to submit" <<<"$out" || fail "a finished sweep (fuse done) was resubmitted: $out"
pass "a finished sweep with a done fuse submits nothing"

out=$("$sweep" nightly "$spec" --compare-only 2>&1) || fail "first nightly comparison exited non-zero: $out"
grep -q "no previous table" <<<"$out" || fail "first nightly: $out"
[ "$(cat "$WORK"/sweep/nightly/*/table.csv | grep -c '^"fused",')" = 4 ] || fail "the nightly table lacks the fused rows"
out=$("$sweep" nightly "$spec" --compare-only 2>&1) || { echo "$out"; fail "nightly on unchanged results exited non-zero"; }
grep -q "No metric moved by more than the tolerance" "$WORK/sweep/regression.md" || fail "regression.md: $(cat "$WORK/sweep/regression.md")"
pass "the nightly comparison keeps the fused rows"
