#!/bin/bash
# Multi-scale Patch2Loc (eval.scales, docs/EVALUATION.md "Multi-scale") on a tiny cohort: A is
# trained with patch fraction 0.125 and B with 0.25 (4 steps each); then, on 2 ranks,
#  1. B's heatmaps in A's multi-scale evaluation (stride 4 and median 7, following its patch size
#     from A's 2 and 3) are byte for byte B evaluated alone with those settings, raw and on the
#     input grid, and A's are A's alone;
#  2. the scale and the multi-scale rules are methods: rows in table.md, map files for every
#     subject, fusions with the z-score, in the resolved config's sources and pairs;
#  3. the cache keys on each checkpoint: a rerun computes nothing; B replaced by another model
#     recomputes B's heatmaps only;
#  4. two checkpoints of one patch size, and a multi-scale source without eval.scales, fail
#     naming what is wrong.
set -euo pipefail
BUILD=$1
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_multiscale.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MPIRUN=(mpirun --oversubscribe -np 2)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$WORK/cfg.yaml" <<YAML
run: {seed: 5}
data: {data_dir: $WORK/cohort, store_dir: $WORK/store, test_sets: [tumor, ms]}
cohort: {voxel_mm: 4.0, n_train: 6, n_val: 2, n_test_healthy: 2, n_test_per_set: 2, n_val_per_set: 1, lesion_sets: [tumor, ms]}
preprocess: {image_dim: [48, 48, 24]}
train: {slices_per_step: 4, patches_per_step: 64, steps: 4, val_every: 2, val_patches: 64, checkpoint_every: 2, log_every: 2, density_every: 2, precision: fp32}
eval: {stride: 2, median_size: 3, batch_size: 512, figure_slices: 1, thresholds: [best_dice_per_volume, validation_dice],
       sources: [patch2loc, zscore], fusion_pairs: [patch2loc*zscore], fusion_modes: [fisher], select: [per_set],
       select_scores: [both], select_median_sizes: [3], select_fusion_modes: [fisher]}
YAML
C=(--config "$WORK/cfg.yaml")
"$BIN/p2l-make-cohort" "${C[@]}" > "$WORK/cohort.log" 2>&1 || fail "cohort: $(tail -3 "$WORK/cohort.log")"
"$BIN/p2l-preprocess" "${C[@]}" run.output_dir="$WORK" > "$WORK/pre.log" 2>&1 || fail "preprocess: $(tail -3 "$WORK/pre.log")"
train() {  # run_dir patch_fraction seed
  "$BIN/p2l-train" "${C[@]}" run.output_dir="$1" train.patch_fraction="$2" run.seed="$3" > "$1.train.log" 2>&1 \
    || fail "train $1: $(tail -3 "$1.train.log")"
}
train "$WORK/a" 0.125 5
train "$WORK/b" 0.25 5
evaluate() {  # log [override...]
  local log=$1
  shift
  "${MPIRUN[@]}" "$BIN/p2l-evaluate" "${C[@]}" "$@" > "$log.out" 2> "$log.err"
}
computed() {  # log what -> volumes computed over both ranks
  grep -oP "^p2l-evaluate rank [01]/2: $2 5/5 volumes \(\K[0-9]+(?= computed)" "$1.err" | awk '{s += $1} END {print s + 0}'
}

# --- 1. each scale's heatmaps as if evaluated alone --------------------------------------------
evaluate "$WORK/a_alone" run.output_dir="$WORK/a_alone" eval.checkpoint="$WORK/a/checkpoints/best.pt" \
  || fail "A alone: $(tail -5 "$WORK/a_alone.err")"
evaluate "$WORK/b_alone" run.output_dir="$WORK/b" eval.stride=4 eval.median_size=7 \
  || fail "B alone: $(tail -5 "$WORK/b_alone.err")"
evaluate "$WORK/ms1" run.output_dir="$WORK/a" eval.scales="[$WORK/b]" || fail "multi-scale: $(tail -5 "$WORK/ms1.err")"
grep -q "scale patch2loc@0.25: stride 4, median size 7, heatmaps in $WORK/a/scales/patch2loc@0.25" "$WORK/ms1.err" \
  || fail "no scale line: $(grep scale "$WORK/ms1.err" | head -3)"
grep -q "scale patch2loc@0.25: .*train.patch_fraction=0.25" "$WORK/ms1.err" || fail "the scale's facts are not logged"
[ "$(computed "$WORK/ms1" "heatmaps of patch2loc@0.25")" = 10 ] || fail "scale B: not 10 heatmaps computed"
n=0
for f in "$WORK"/b/heatmaps/*/*.nii.gz "$WORK"/b/heatmaps/*/raw/*.nii.gz; do
  rel=${f#"$WORK/b/"}
  case "$rel" in *_seg_*) continue;; esac  # segmentations follow a table's thresholds: the reference scale's only
  cmp -s "$f" "$WORK/a/scales/patch2loc@0.25/$rel" || fail "scale B's $rel differs from B evaluated alone"
  n=$((n + 1))
done
[ "$n" -ge 40 ] || fail "only $n files of B compared"
for f in "$WORK"/a_alone/heatmaps/*/raw/*.nii.gz "$WORK"/a_alone/heatmaps/*/*.nii.gz; do
  rel=${f#"$WORK/a_alone/"}
  case "$rel" in *_seg_*) continue;; esac  # segmentations follow the table's thresholds
  cmp -s "$f" "$WORK/a/$rel" || fail "A's $rel differs from A evaluated alone"
done

# --- 2. the scales and rules as methods ---------------------------------------------------------
T=$WORK/a/report/table.md
for row in 'Patch2Loc both m3' 'Patch2Loc@0.25' 'Patch2Loc multi-scale mean_z' 'Patch2Loc multi-scale mean_voxel_z' \
           'Patch2Loc multi-scale max_z' 'Patch2Loc multi-scale fisher' 'Patch2Loc multi-scale fisher x z-score (fisher)'; do
  grep -q "^| $row | validation Dice |" "$T" || fail "table.md has no row '$row'"
done
for src in patch2loc@0.25 multiscale_mean_z multiscale_mean_voxel_z multiscale_max_z multiscale_fisher; do
  [ "$(ls "$WORK/a/maps/$src"/*.nii.gz | wc -l)" = 10 ] || fail "maps/$src: not 10 maps"
done
grep -q 'multiscale_fisher\*zscore' "$WORK/a/report/evaluate_config.yaml" || fail "the resolved config lacks the multi-scale pairs"
grep -q 'multi-scale statistics from 2 healthy reference volume(s)' "$WORK/ms1.err" || fail "no statistics line"
# The mean of the z-scores of one scale is not the scale itself: the files differ.
f=$(ls "$WORK/a/maps/multiscale_mean_z"/*.nii.gz | head -1)
cmp -s "$f" "$WORK/a/maps/multiscale_max_z/$(basename "$f")" && fail "mean_z and max_z maps are identical"

# --- 3. the cache keys on each checkpoint -------------------------------------------------------
cp "$T" "$WORK/table1.md"
evaluate "$WORK/ms2" run.output_dir="$WORK/a" eval.scales="[$WORK/b]" || fail "rerun: $(tail -5 "$WORK/ms2.err")"
[ "$(computed "$WORK/ms2" heatmaps)" = 0 ] && [ "$(computed "$WORK/ms2" "heatmaps of patch2loc@0.25")" = 0 ] \
  || fail "the rerun computed heatmaps again"
cmp -s "$T" "$WORK/table1.md" || fail "the rerun's table differs"
train "$WORK/b2" 0.25 9
cp "$WORK/b2/checkpoints/best.pt" "$WORK/b/checkpoints/best.pt"
evaluate "$WORK/ms3" run.output_dir="$WORK/a" eval.scales="[$WORK/b/checkpoints/best.pt]" || fail "B replaced: $(tail -5 "$WORK/ms3.err")"
[ "$(computed "$WORK/ms3" heatmaps)" = 0 ] || fail "A's heatmaps were recomputed when only B changed"
[ "$(computed "$WORK/ms3" "heatmaps of patch2loc@0.25")" = 10 ] || fail "B's heatmaps were not recomputed after B changed"

# --- 4. errors ----------------------------------------------------------------------------------
train "$WORK/a2" 0.125 7
evaluate "$WORK/dup" run.output_dir="$WORK/a" eval.scales="[$WORK/b, $WORK/a2]" && fail "two scales of 0.125 were accepted"
grep -q "both have patch fraction 0.125" "$WORK/dup.err" || fail "no duplicate-scale message: $(tail -3 "$WORK/dup.err")"
evaluate "$WORK/nosc" run.output_dir="$WORK/a" eval.sources="[patch2loc, multiscale_mean_z]" && fail "a multi-scale source without scales was accepted"
grep -q "map source 'multiscale_mean_z' is not computed by this evaluation (it needs eval.scales" "$WORK/nosc.err" \
  || fail "no message for a multi-scale source without scales: $(tail -3 "$WORK/nosc.err")"
echo "ok: 2 scales on 2 ranks: each scale's heatmaps equal its own evaluation's ($n files of B), 5 multi-scale sources with maps and rows, the cache recomputes only a changed checkpoint, bad scales fail with their reason"
