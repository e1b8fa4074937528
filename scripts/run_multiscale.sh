#!/usr/bin/env bash
# Multi-scale Patch2Loc on the main job's cohort (docs/EVALUATION.md "Multi-scale"), on this
# machine: the main job (scripts/run_demo.sh: cohort, store, Patch2Loc at the config's patch
# fraction, the autoencoder, its evaluation), then Patch2Loc at each other patch fraction of
# P2L_SCALES (default "0.0625 0.25") in <output_dir>/patch-<fraction>/, then the evaluation
# again with eval.scales naming them: the reference scale's heatmaps come from the cache, the
# table gains each scale and the multi-scale rules. Overrides apply to every stage, as in
# run_demo.sh. On a cluster, `p2l-sweep submit configs/sweeps/patch_scales.yaml` does the same.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
config="${P2L_CONFIG:-configs/default.yaml}"
ranks="${P2L_RANKS:-2}"
scales="${P2L_SCALES:-0.0625 0.25}"
bash scripts/run_demo.sh "$@"
bin="${P2L_BUILD_DIR:-$root/build}/bin"
out="$(grep -E '^\s+output_dir:' "$config" | head -1 | awk '{print $2}')"
for o in "$@"; do case "$o" in run.output_dir=*) out="${o#run.output_dir=}";; esac; done
log="$out/multiscale.log"
start=$SECONDS
runs=()
for pf in $scales; do
  t0=$SECONDS
  echo "[multiscale] === train patch fraction $pf" | tee -a "$log"
  bash scripts/mpi-launch.sh "$ranks" "$bin/p2l-train" --config "$config" "$@" \
    run.output_dir="$out/patch-$pf" train.patch_fraction="$pf" 2>&1 | tee -a "$log"
  echo "[multiscale] === train patch fraction $pf done in $((SECONDS - t0)) s" | tee -a "$log"
  runs+=("$out/patch-$pf")
done
list=$(IFS=,; echo "${runs[*]}")
t0=$SECONDS
echo "[multiscale] === evaluate with eval.scales=[$list]" | tee -a "$log"
bash scripts/mpi-launch.sh "$ranks" "$bin/p2l-evaluate" --config "$config" "$@" eval.scales="[$list]" 2>&1 | tee -a "$log"
echo "[multiscale] === evaluate done in $((SECONDS - t0)) s" | tee -a "$log"
echo "[multiscale] other scales and the evaluation: $((SECONDS - start)) s (the main job's stages: $out/demo.log)" | tee -a "$log"
echo "[multiscale] report: $out/report/report.md"
