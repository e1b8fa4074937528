#!/bin/bash
# Evaluation's peak memory does not grow with the number of test volumes (docs/EVALUATION.md,
# "Memory"): one process evaluates a 2 mm cohort with 4 and then 16 tumour test volumes (the
# same checkpoint, stride 16 so the heatmaps are cheap). Each volume holds about 10 MB of arrays
# (scan, mask, segmentation, two raw score maps); holding every test volume adds about 120 MB
# for the 12 extra ones (measured: +119 MiB when the test splits were held in memory; +35 MiB
# when streamed, from what the 12 extra volumes leave behind in the allocator and in the
# results; after the test splits were scored through the ranks' plan: +39 MiB in a fresh-clone
# run alone on the machine, +64 and +87 MiB in runs beside the 1 mm load test). The peak resident set (GNU time's %M) may grow by at most 90 MiB, three quarters of
# the held case.
set -euo pipefail
BUILD=$1
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_eval_memory.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || fail "/usr/bin/time (Debian package time) is needed to read the peak memory"

config() {  # $1 = test volumes
  cat > "$WORK/cfg$1.yaml" <<YAML
run: {output_dir: $WORK/run$1, seed: 5, threads: 1}
data: {data_dir: $WORK/cohort$1, store_dir: $WORK/store$1, test_sets: [tumor]}
cohort: {voxel_mm: 2.0, n_train: 2, n_val: 1, n_test_healthy: 1, n_test_per_set: $1, n_val_per_set: 1, lesion_sets: [tumor]}
preprocess: {image_dim: [96, 96, 80]}
train: {slices_per_step: 2, patches_per_step: 32, steps: 1, val_every: 1, val_patches: 32, checkpoint_every: 1}
eval: {stride: 16, median_size: 3, batch_size: 1024, figure_slices: 0, sources: [patch2loc], fusion_pairs: [], select: []}
YAML
}
peak_kib=()
for n in 4 16; do
  config $n
  "$BIN/p2l-make-cohort" --config "$WORK/cfg$n.yaml" > "$WORK/cohort$n.log" 2>&1 || fail "cohort: $(tail -3 "$WORK/cohort$n.log")"
  "$BIN/p2l-preprocess" --config "$WORK/cfg$n.yaml" > "$WORK/pre$n.log" 2>&1 || fail "preprocess: $(tail -3 "$WORK/pre$n.log")"
  if [ $n = 4 ]; then
    "$BIN/p2l-train" --config "$WORK/cfg$n.yaml" > "$WORK/train.log" 2>&1 || fail "train: $(tail -3 "$WORK/train.log")"
  else
    mkdir -p "$WORK/run$n" && cp -r "$WORK/run4/checkpoints" "$WORK/run$n/"
  fi
  /usr/bin/time -f %M -o "$WORK/peak$n" "$BIN/p2l-evaluate" --config "$WORK/cfg$n.yaml" > "$WORK/eval$n.out" 2> "$WORK/eval$n.err" \
    || fail "evaluate ($n test volumes): $(tail -5 "$WORK/eval$n.err")"
  rows=$(grep -c ',tumor,' "$WORK/run$n/report/results_per_volume.csv" || true)
  [ "$rows" -ge "$n" ] || fail "$n test volumes gave $rows tumour rows"
  peak_kib+=("$(tail -1 "$WORK/peak$n")")
done
growth=$(( (peak_kib[1] - peak_kib[0]) / 1024 ))
echo "peak resident set: 4 test volumes $((peak_kib[0] / 1024)) MiB, 16 test volumes $((peak_kib[1] / 1024)) MiB (+$growth MiB)"
[ "$growth" -le 90 ] || fail "evaluation's peak memory grew by $growth MiB for 12 more test volumes (bound 90 MiB)"
echo "PASS: evaluation's peak memory is flat in the number of test volumes (+$growth MiB for 4 -> 16)"
