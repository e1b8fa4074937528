#!/bin/bash
# p2l-evaluate end to end on a tiny default cohort (4 mm, 2 lesion sets, 4 training steps):
#  1. 2 ranks write every heatmap, its components and a segmentation per threshold rule with
#     the shape and affine of the input scan (the raw cache stays on the preprocessed grid),
#     report.md, table.md with one row per threshold rule, both CSVs and figures;
#  2. a rerun reuses every cached heatmap (0 computed) and gives the same table; 1 rank in a
#     fresh folder computes every heatmap again, byte for byte the 2 ranks' maps, CSVs and table;
#     the ground truth as a map source gives Dice and AUPRC 1 and is what validation selects;
#  3. an external folder of maps (here: the heatmaps, on the input grid) is a map source with
#     rows of its own and fusion rows; a missing
#     map and a map on another grid fail that source (exit 1) naming the file and the subject
#     while Patch2Loc's rows are still written; a missing checkpoint fails naming the path;
#     the log says the settings came from the checkpoint, and a command-line value the
#     checkpoint was not trained with fails naming both values; a config file with another
#     patch geometry (2d) or autoencoder architecture (4) gives the checkpoint's own maps;
#  4. the baselines: p2l-train-ae on 2 ranks, then z-score and AE maps on the preprocessed grid,
#     with rows for Patch2Loc, z-score, AE and both fusions over every set.
set -euo pipefail
BUILD=$1
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_eval.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$WORK/cfg.yaml" <<YAML
run: {output_dir: $WORK/run, seed: 5}
data: {data_dir: $WORK/cohort, store_dir: $WORK/store, test_sets: [tumor, ms]}
cohort: {voxel_mm: 4.0, n_train: 6, n_val: 2, n_test_healthy: 2, n_test_per_set: 2, n_val_per_set: 1, lesion_sets: [tumor, ms]}
preprocess: {image_dim: [48, 48, 24]}
train: {slices_per_step: 4, patches_per_step: 64, steps: 4, val_every: 2, val_patches: 64, checkpoint_every: 2, log_every: 2, density_every: 2}
eval: {stride: 2, median_size: 3, batch_size: 512, figure_slices: 2}
YAML
"$BIN/p2l-make-cohort" --config "$WORK/cfg.yaml" > "$WORK/cohort.log" 2>&1 || fail "cohort: $(tail -3 "$WORK/cohort.log")"
"$BIN/p2l-preprocess" --config "$WORK/cfg.yaml" > "$WORK/pre.log" 2>&1 || fail "preprocess: $(tail -3 "$WORK/pre.log")"
"$BIN/p2l-train" --config "$WORK/cfg.yaml" > "$WORK/train.log" 2>&1 || fail "train: $(tail -3 "$WORK/train.log")"

# --- 1. evaluation with 2 ranks ------------------------------------------------------------
"${MPIRUN[@]}" -np 2 "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" > "$WORK/eval1.out" 2> "$WORK/eval1.err" \
  || fail "evaluate: $(tail -5 "$WORK/eval1.err")"
R=$WORK/run/report
for f in report.md table.md results_per_volume.csv results_summary.csv figures/overlay_tumor.png \
         figures/overlay_ms.png figures/overlay_IXI_test.png figures/kde_error_variance.png figures/location_ellipses.png; do
  [ -s "$R/$f" ] || fail "missing $R/$f"
done
rows=$(grep -c '^| Patch2Loc both m3 |' "$R/table.md")
[ "$rows" = 6 ] || fail "expected 6 table rows (oracle, validation, q98, 3 FPR), got $rows"
grep -q '| Method | Threshold | tumor Dice | tumor AUPRC | ms Dice | ms AUPRC | IXI_test FPR |' "$R/table.md" || fail "table header"
grep -q 'figures/kde_error_variance.png' "$R/report.md" || fail "report.md lacks figures"
# report/index.html: one self-contained page; in a real browser every image decodes, the table
# is there, and every per-volume link points to a file.
[ -s "$R/index.html" ] || fail "no index.html"
grep -q 'src="figures/\|src="/' "$R/index.html" && fail "index.html links images instead of embedding them"
for l in $(grep -o 'href="[^"]*"' "$R/index.html" | sed 's/href="//; s/"$//'); do
  [ -s "$R/$l" ] || fail "index.html links to a missing $l"
done
[ "$(grep -c 'href="figures/volumes/' "$R/index.html")" -ge 6 ] || fail "index.html lacks per-volume overlay links"
for k in 'Benchmark table' 'Per volume' 'Stage times' 'LibTorch' 'Configuration' 'train Patch2Loc'; do
  grep -q "$k" "$R/index.html" || fail "index.html lacks '$k'"
done
if [ -x /usr/bin/chromium ]; then
  timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 --dump-dom \
    "file://$R/index.html" > "$WORK/dom.html" 2>/dev/null || fail "chromium could not load index.html"
  n=$(grep -o 'data:image/png' "$R/index.html" | wc -l)
  grep -q "data-images-loaded=\"$n/$n\"" "$WORK/dom.html" || fail "not every image loaded: $(grep -o 'data-images-loaded="[^"]*"' "$WORK/dom.html") of $n"
  grep -q '<th>Method</th>' "$WORK/dom.html" || fail "no table in the rendered page"
else
  echo "SKIP: /usr/bin/chromium not installed (scripts/setup.sh installs it): browser check of index.html skipped"
fi
# 10 volumes dealt over 2 ranks: each rank's last progress line says 5 of 5, all computed.
for r in 0 1; do
  grep -qE "^p2l-evaluate rank $r/2: heatmaps 5/5 volumes \(5 computed, 0 cached\), [0-9]+ patches/s$" "$WORK/eval1.err" \
    || fail "no final progress line of rank $r: $(grep heatmaps "$WORK/eval1.err" | tail -2)"
done
n=$(ls "$WORK"/run/heatmaps/*/*.nii.gz | grep -cvE '_(error|variance|seg_[a-z0-9_]+)\.nii\.gz$')
[ "$n" = 10 ] || fail "expected 10 heatmaps (2 val + 2 IXI_test + 2x(2 test + 1 val)), got $n"
[ "$(ls "$WORK"/run/heatmaps/*/*_variance.nii.gz | wc -l)" = 10 ] || fail "input-grid score components"
[ "$(ls "$WORK"/run/heatmaps/*/raw/*_error.nii.gz | wc -l)" = 10 ] || fail "raw error maps"
[ "$(ls "$WORK"/run/heatmaps/tumor_test/*_seg_healthy_q98.nii.gz | wc -l)" = 2 ] || fail "no q98 segmentations"
[ "$(ls "$WORK"/run/heatmaps/IXI_test/*_seg_best_dice_per_volume_oracle.nii.gz | wc -l)" = 2 ] || fail "no oracle segmentations"
# Every heatmap, component and segmentation has the shape and affine of its input scan (the
# cohort's 4 mm grid), not of the preprocessed grid (image_dim 48 x 48 x 24); the raw cache
# stays on the preprocessed grid.
python3 - "$WORK/cohort" "$WORK"/run/heatmaps/*/*.nii.gz <<'PY' || fail "heatmap grid"
import glob, gzip, os, re, struct, sys
def header(p):
    h = gzip.open(p).read(348)
    return (struct.unpack('<8h', h[40:56])[1:4], struct.unpack('<8f', h[76:108])[1:4],
            struct.unpack('<12f', h[280:328]))
cohort = sys.argv[1]
for p in sys.argv[2:]:
    sid = re.sub(r'_(error|variance|seg_[a-z0-9_]+)$', '', os.path.basename(p)[:-7])
    src = glob.glob(os.path.join(cohort, '**', sid + '_t2.nii.gz'), recursive=True)
    assert len(src) == 1, (p, src)
    a, b = header(p), header(src[0])
    assert a[0] == b[0] and a[0] != (48, 48, 24), (p, a[0], b[0])
    assert all(abs(x - y) < 1e-4 for x, y in zip(a[1] + a[2], b[1] + b[2])), (p, a, b)
for p in glob.glob(os.path.dirname(sys.argv[2]) + '/../*/raw/*_error.nii.gz'):
    assert header(p)[0] == (48, 48, 24), p
PY

# --- 2. a rerun reuses the cache ----------------------------------------------------------
"${MPIRUN[@]}" -np 2 "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" > "$WORK/eval2.out" 2> "$WORK/eval2.err" || fail "rerun"
grep -q '(0 computed' "$WORK/eval2.err" || fail "rerun recomputed heatmaps: $(grep heatmaps "$WORK/eval2.err" | tail -2)"
grep -q '[1-9] computed' "$WORK/eval2.err" && fail "rerun recomputed some heatmaps"
cmp -s "$WORK/eval1.out" "$WORK/eval2.out" || fail "rerun changed the table"

# --- 2b. 1 rank from scratch gives the same heatmaps, CSVs and table as 2 ranks -----------------
# A new output folder, so nothing is read from the cache: this is also the determinism check.
"$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" run.output_dir="$WORK/run1" eval.checkpoint="$WORK/run/checkpoints/best.pt" \
  > "$WORK/eval1r.out" 2> "$WORK/eval1r.err" || fail "1-rank evaluation: $(tail -3 "$WORK/eval1r.err")"
grep -qE "rank 0/1: heatmaps 10/10 volumes \(10 computed, 0 cached\)" "$WORK/eval1r.err" || fail "the 1-rank run did not compute all 10 heatmaps"
n=0
for f in "$WORK"/run/heatmaps/*/raw/*.nii.gz "$WORK"/run/heatmaps/*/*.nii.gz; do
  g="$WORK/run1/heatmaps/${f#"$WORK"/run/heatmaps/}"
  [ -s "$g" ] || fail "1-rank run lacks $g"
  cmp -s <(zcat "$f") <(zcat "$g") || fail "1 and 2 ranks differ in ${f#"$WORK"/}"
  n=$((n + 1))
done
[ "$n" -ge 40 ] || fail "compared only $n heatmap files"
for f in table.md results_per_volume.csv results_summary.csv selection.csv; do
  cmp -s "$R/$f" "$WORK/run1/report/$f" || fail "1 and 2 ranks differ in report/$f"
done
cmp -s "$WORK/eval1.out" "$WORK/eval1r.out" || fail "1 and 2 ranks printed different tables"
echo "1 rank and 2 ranks: $n heatmap files, the CSVs and the table are identical"

# --- 2d. the checkpoint owns its patch geometry ---------------------------------------------
# A config file whose train.patch_fraction and train.min_brain_fraction differ from the ones the
# checkpoint was trained with (as evaluating a sweep point's checkpoint with the default config):
# the checkpoint's values are used, so the heatmaps are byte for byte those of 2b.
sed 's/^train: {/train: {patch_fraction: 0.25, min_brain_fraction: 0.5, /' "$WORK/cfg.yaml" > "$WORK/cfg_other.yaml"
grep -q 'patch_fraction: 0.25' "$WORK/cfg_other.yaml" || fail "cfg_other.yaml"
"$BIN/p2l-evaluate" --config "$WORK/cfg_other.yaml" run.output_dir="$WORK/run_other" eval.checkpoint="$WORK/run/checkpoints/best.pt" \
  > "$WORK/eval_other.out" 2> "$WORK/eval_other.err" || fail "evaluation with another config: $(tail -3 "$WORK/eval_other.err")"
grep -q "^p2l-evaluate: Patch2Loc settings from checkpoint .*train.patch_fraction=0.125, train.min_brain_fraction=0.2" "$WORK/eval_other.err" \
  || fail "the checkpoint's settings were not used: $(grep -m2 settings "$WORK/eval_other.err")"
n=0
for f in "$WORK"/run1/heatmaps/*/raw/*.nii.gz "$WORK"/run1/heatmaps/*/*.nii.gz; do
  g="$WORK/run_other/heatmaps/${f#"$WORK"/run1/heatmaps/}"
  cmp -s <(zcat "$f") <(zcat "$g") || fail "another config's patch geometry changed ${g#"$WORK"/}"
  n=$((n + 1))
done
cmp -s "$WORK/eval1r.out" "$WORK/eval_other.out" || fail "another config's patch geometry changed the table"
echo "a config with another patch geometry: the checkpoint's own, $n heatmap files and the table identical"

# --- 2c. a known answer end to end: the ground truth itself as a map source -----------------
# Each diseased subject's map is its own segmentation, each healthy subject's its brain mask
# (flat inside the brain). Through the whole evaluation that must give AUPRC 1 and Dice 1 on
# every set with the oracle and the validation threshold, and validation must select it.
mkdir -p "$WORK/truth"
for h in "$WORK"/run/heatmaps/*/*.nii.gz; do
  id=$(basename "$h" .nii.gz)
  case "$id" in *_error|*_variance|*_seg_*) continue;; esac
  src=$(find "$WORK/cohort" -name "${id}_seg.nii.gz" | head -1)
  [ -n "$src" ] || src=$(find "$WORK/cohort" -name "${id}_mask.nii.gz" | head -1)
  [ -n "$src" ] || fail "no segmentation or mask for $id"
  cp "$src" "$WORK/truth/$id.nii.gz"
done
[ "$(ls "$WORK/truth" | wc -l)" = 10 ] || fail "expected 10 ground-truth maps"
"$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" run.output_dir="$WORK/run_truth" eval.checkpoint="$WORK/run/checkpoints/best.pt" \
  "eval.external_maps=[truth=$WORK/truth]" "eval.sources=[patch2loc, truth]" "eval.select=[per_set]" \
  > "$WORK/truth.out" 2> "$WORK/truth.err" || fail "ground-truth evaluation: $(tail -3 "$WORK/truth.err")"
T=$WORK/run_truth/report/table.md
perfect='1.000 ± 0.000 | 1.000 ± 0.000 | 1.000 ± 0.000 | 1.000 ± 0.000'
grep -qF "| truth | best Dice per volume (oracle) | $perfect |" "$T" || fail "ground truth is not perfect with the oracle: $(grep truth "$T")"
grep -qF "| truth | validation Dice | $perfect | - |" "$T" || fail "ground truth is not perfect at the validation threshold: $(grep truth "$T")"
grep -qF "| Validation-selected (per set) | validation Dice | $perfect | - |" "$T" || fail "validation did not select the ground truth: $(grep Validation "$T")"
grep -q '^per_set,"tumor","truth",' "$WORK/run_truth/report/selection.csv" || fail "selection.csv: $(cat "$WORK/run_truth/report/selection.csv")"
echo "ground truth as a map: Dice and AUPRC 1 on every set, and validation selected it"

# --- 3. an external map source, fusion and bad input -----------------------------------------
mkdir -p "$WORK/maps"
cp "$WORK"/run/heatmaps/*/*.nii.gz "$WORK/maps/"
EXT=("eval.external_maps=[ext=$WORK/maps]" "eval.sources=[patch2loc, ext]" "eval.fusion_pairs=[patch2loc*ext]")
"$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" "${EXT[@]}" "eval.fusion_modes=[weighted, max]" \
  > "$WORK/eval3.out" 2> "$WORK/eval3.err" || fail "fusion: $(tail -3 "$WORK/eval3.err")"
grep -q '^| ext | healthy q98' "$R/table.md" || fail "no rows for the external source"
grep -q 'Patch2Loc both m3 x ext (weighted w=0.50) | healthy q98' "$R/table.md" || fail "no weighted fusion rows"
grep -q 'Patch2Loc both m3 x ext (max) | healthy q98' "$R/table.md" || fail "no max fusion rows"
rm "$WORK/maps/ms_sim_000.nii.gz"
if "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" "${EXT[@]}" > /dev/null 2> "$WORK/eval4.err"; then
  fail "a missing source map was accepted"
fi
grep -q "maps/ms_sim_000.nii.gz: no map for subject 'ms_sim_000'" "$WORK/eval4.err" || fail "missing-map message: $(tail -2 "$WORK/eval4.err")"
grep -q "map source 'ext' FAILED" "$WORK/eval4.err" || fail "no failed-source summary: $(tail -2 "$WORK/eval4.err")"
rows=$(grep -c '^| Patch2Loc both m3 |' "$R/table.md")
[ "$rows" = 6 ] || fail "a bad source lost Patch2Loc's rows ($rows)"
grep -q '^| ext |' "$R/table.md" && fail "rows of a failed source were written"
python3 - "$WORK/maps/ms_sim_000.nii.gz" <<'PY'  # a 2 x 2 x 2 map: neither grid of the subject
import gzip, struct, sys
h = bytearray(348)
struct.pack_into('<i', h, 0, 348)
struct.pack_into('<8h', h, 40, 3, 2, 2, 2, 1, 1, 1, 1)
struct.pack_into('<hh', h, 70, 16, 32)            # float32
struct.pack_into('<8f', h, 76, 1, 1, 1, 1, 1, 1, 1, 1)
struct.pack_into('<f', h, 108, 352.0)             # vox_offset
h[344:348] = b'n+1\0'
gzip.open(sys.argv[1], 'wb').write(bytes(h) + b'\0' * 4 + struct.pack('<8f', *([0.0] * 8)))
PY
if "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" "${EXT[@]}" > /dev/null 2> "$WORK/eval5.err"; then
  fail "a source map on another grid was accepted"
fi
grep -q "ms_sim_000.nii.gz: map is on neither the preprocessed grid nor the input grid of subject 'ms_sim_000'" "$WORK/eval5.err" || fail "grid message: $(tail -2 "$WORK/eval5.err")"
if "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" eval.checkpoint=$WORK/nope.pt > /dev/null 2> "$WORK/eval6.err"; then
  fail "a missing checkpoint was accepted"
fi
grep -q "$WORK/nope.pt: checkpoint not found" "$WORK/eval6.err" || fail "checkpoint message: $(tail -2 "$WORK/eval6.err")"
grep -q "^p2l-evaluate: Patch2Loc settings from checkpoint .*train.patch_fraction=0.125" "$WORK/eval1.err" \
  || fail "no line saying where the settings came from: $(grep -m2 settings "$WORK/eval1.err")"
if "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" train.patch_fraction=0.25 > /dev/null 2> "$WORK/eval6b.err"; then
  fail "a patch fraction the checkpoint was not trained with was accepted"
fi
grep -q "train.patch_fraction: the command line sets 0.25 but checkpoint .* was trained with 0.125" "$WORK/eval6b.err" \
  || fail "conflicting-setting message: $(tail -2 "$WORK/eval6b.err")"

# --- 4. the z-score and autoencoder baselines ----------------------------------------------
BASE=("eval.sources=[patch2loc, zscore, ae]" "eval.fusion_pairs=[patch2loc*zscore, patch2loc*ae]")
if "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" "${BASE[@]}" > /dev/null 2> "$WORK/eval7.err"; then
  fail "the AE source was accepted without a trained autoencoder"
fi
grep -q "ae/checkpoints/best.pt: autoencoder checkpoint not found" "$WORK/eval7.err" || fail "AE checkpoint message: $(tail -2 "$WORK/eval7.err")"
AE=(ae.channels=[4,8] ae.latent_channels=4 ae.slices_per_step=4 ae.val_slices=4 ae.steps=4 ae.val_every=2 ae.checkpoint_every=2 ae.log_every=2)
"${MPIRUN[@]}" -np 2 "$BIN/p2l-train-ae" --config "$WORK/cfg.yaml" "${AE[@]}" > "$WORK/ae.out" 2> "$WORK/ae.err" \
  || fail "p2l-train-ae: $(tail -3 "$WORK/ae.err")"
grep -q 'autoencoder training on 2 rank(s)' "$WORK/ae.err" || fail "AE did not train on 2 ranks"
grep -q 'slices/s' "$WORK/run/ae/train.log" || fail "AE progress line"
[ -s "$WORK/run/ae/checkpoints/best.pt" ] && [ -s "$WORK/run/ae/checkpoints/last.pt" ] || fail "AE checkpoints"
"${MPIRUN[@]}" -np 2 "$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" "${BASE[@]}" "${AE[@]}" > "$WORK/eval8.out" 2> "$WORK/eval8.err" \
  || fail "baseline evaluation: $(tail -3 "$WORK/eval8.err")"
grep -q "^p2l-evaluate: autoencoder settings from checkpoint .*ae.channels=\[4, 8\]" "$WORK/eval8.err" \
  || fail "no line saying where the autoencoder's settings came from: $(grep -m2 settings "$WORK/eval8.err")"
# The autoencoder's checkpoint likewise: a config file with another architecture and brain
# fraction evaluates it as trained, the same AE maps byte for byte.
sed 's/^eval: {/ae: {channels: [8, 16], latent_channels: 8, min_brain_fraction: 0.5, output_subdir: ..\/run\/ae}\neval: {/' \
  "$WORK/cfg.yaml" > "$WORK/cfg_ae_other.yaml"
mkdir -p "$WORK/run_ae_other"  # ae.output_subdir ../run/ae goes through it
"$BIN/p2l-evaluate" --config "$WORK/cfg_ae_other.yaml" run.output_dir="$WORK/run_ae_other" "eval.sources=[patch2loc, ae]" \
  eval.fusion_pairs=[] eval.checkpoint="$WORK/run/checkpoints/best.pt" > /dev/null 2> "$WORK/eval_ae_other.err" \
  || fail "AE evaluation with another config: $(grep -m3 'fatal\|error' "$WORK/eval_ae_other.err")"
grep -q "^p2l-evaluate: autoencoder settings from checkpoint .*ae.channels=\[4, 8\], ae.latent_channels=4" "$WORK/eval_ae_other.err" \
  || fail "the autoencoder's own settings were not used: $(grep -m2 settings "$WORK/eval_ae_other.err")"
for f in "$WORK"/run/maps/ae/*.nii.gz; do
  cmp -s <(zcat "$f") <(zcat "$WORK/run_ae_other/maps/ae/$(basename "$f")") || fail "another AE config changed $(basename "$f")"
done
for m in 'z-score' 'AE' 'Patch2Loc both m3 x z-score (product)' 'Patch2Loc both m3 x AE (product)'; do
  rows=$(grep -cF "| $m |" "$R/table.md")
  [ "$rows" = 6 ] || fail "expected 6 rows for '$m', got $rows"
done
n=$(ls "$WORK"/run/maps/zscore/*.nii.gz | wc -l)
[ "$n" = 10 ] || fail "expected 10 z-score maps, got $n"
[ "$(ls "$WORK"/run/maps/ae/*.nii.gz | wc -l)" = 10 ] || fail "AE maps"
[ -s "$WORK/run/maps/zscore/stats/mean.nii.gz" ] || fail "z-score statistics"
python3 - "$WORK"/run/maps/*/*.nii.gz <<'PY' || fail "baseline map grid"
import gzip, struct, sys
for p in sys.argv[1:]:  # on the input scan's grid (the cohort's 4 mm grid), like the heatmaps
    h = gzip.open(p).read(348)
    assert struct.unpack('<8h', h[40:56])[1:4] == (40, 49, 42), p
PY
python3 - "$WORK"/run/maps/zscore/stats/*.nii.gz <<'PY' || fail "z-score statistics grid"
import gzip, struct, sys
for p in sys.argv[1:]:  # the statistics live on the common preprocessed grid
    assert struct.unpack('<8h', gzip.open(p).read(348)[40:56])[1:4] == (48, 48, 24), p
PY
# A changed setting recomputes only that source's maps (its stamp changed): the z-score maps
# change, the AE maps and the heatmaps are left as they were.
one=$(basename "$(ls "$WORK"/run/maps/zscore/*.nii.gz | head -1)")
zcat "$WORK/run/maps/zscore/$one" > "$WORK/z_before"
zcat "$WORK/run/maps/ae/$one" > "$WORK/ae_before"
heat=$(ls "$WORK"/run/heatmaps/*/raw/*_error.nii.gz | head -1)
zcat "$heat" > "$WORK/heat_before"
"$BIN/p2l-evaluate" --config "$WORK/cfg.yaml" "${BASE[@]}" "${AE[@]}" zscore.eps=0.5 > /dev/null 2> "$WORK/eval9.err" || fail "eps rerun"
grep -q 'eps=0.5' "$WORK/run/maps/zscore/.stamp" || fail "z-score stamp not updated"
cmp -s "$WORK/z_before" <(zcat "$WORK/run/maps/zscore/$one") && fail "z-score maps unchanged after zscore.eps changed"
cmp -s "$WORK/ae_before" <(zcat "$WORK/run/maps/ae/$one") || fail "AE maps changed although only zscore.eps did"
cmp -s "$WORK/heat_before" <(zcat "$heat") || fail "heatmaps changed although only zscore.eps did"
echo "PASS"
