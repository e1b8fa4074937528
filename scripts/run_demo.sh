#!/usr/bin/env bash
# The main job: installs, builds, then runs the whole pipeline on the embedded default cohort:
# generate the cohort, preprocess with 2 MPI ranks, train Patch2Loc and the autoencoder
# baseline with 2 ranks, evaluate every method (Patch2Loc, z-score, AE, fusions) on every set,
# write the report. Everything lands in runs/default (see configs/default.yaml); a rerun
# resumes: finished stages are skipped or continued.
# Usage: scripts/run_demo.sh [section.key=value ...]   (overrides apply to every stage)
# With P2L_BIN_DIR (prebuilt executables, as in the container image) nothing is built and the
# run folder is relative to the current folder instead of the checkout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${P2L_CONFIG:-$root/configs/default.yaml}"
ranks="${P2L_RANKS:-2}"
if [ -n "${P2L_BIN_DIR:-}" ]; then
  bin="$P2L_BIN_DIR"
else
  cd "$root"
  bash scripts/build.sh p2l-make-cohort p2l-preprocess p2l-train p2l-train-ae p2l-evaluate
  bin="${P2L_BUILD_DIR:-$root/build}/bin"
fi
out="$(grep -E '^\s+output_dir:' "$config" | head -1 | awk '{print $2}')"
for o in "$@"; do case "$o" in run.output_dir=*) out="${o#run.output_dir=}";; esac; done
mkdir -p "$out"
log="$out/demo.log"
echo "[demo] log: $log"
stage() {
  local name="$1"; shift
  local t0=$SECONDS
  echo "[demo] === $name: $*" | tee -a "$log"
  "$@" 2>&1 | tee -a "$log"
  echo "[demo] === $name done in $((SECONDS - t0)) s" | tee -a "$log"
}
start=$SECONDS
stage cohort "$bin/p2l-make-cohort" --config "$config" "$@"
stage preprocess bash "$root/scripts/mpi-launch.sh" "$ranks" "$bin/p2l-preprocess" --config "$config" "$@"
stage train bash "$root/scripts/mpi-launch.sh" "$ranks" "$bin/p2l-train" --config "$config" "$@"
stage train-ae bash "$root/scripts/mpi-launch.sh" "$ranks" "$bin/p2l-train-ae" --config "$config" "$@"
stage evaluate bash "$root/scripts/mpi-launch.sh" "$ranks" "$bin/p2l-evaluate" --config "$config" "$@"
echo "[demo] whole pipeline: $((SECONDS - start)) s" | tee -a "$log"
echo "[demo] report (table, figures): $out/report/report.md"
