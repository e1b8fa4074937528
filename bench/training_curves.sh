#!/usr/bin/env bash
# Learning curves on the default cohort: validation location error against step and wall time
# for the schedules and precisions we chose the defaults from (docs/TRAINING.md). Each setting
# trains with the main job's layout (2 ranks x 1 thread) from the same seed into
# runs/curves/<name>; then bench/plot_training_curves.py draws docs/training_curves.png.
# Needs the default cohort's store (run scripts/run_demo.sh, or its first two stages, first).
# Usage: bench/training_curves.sh [steps=900]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${1:-900}"
bin="${P2L_BUILD_DIR:-$root/build}/bin"
common=(--config configs/default.yaml train.steps="$steps" train.val_every=50 train.checkpoint_every=100000
        train.density_every=100000)
declare -A settings=(
  [fp32_constant]="train.schedule=constant train.warmup_steps=0 train.precision=fp32"
  [fp32_cosine]="train.schedule=cosine train.warmup_steps=50 train.precision=fp32"
  [bf16_cosine]="train.schedule=cosine train.warmup_steps=50 train.precision=bf16"
)
for name in fp32_constant fp32_cosine bf16_cosine; do
  out="runs/curves/$name"
  rm -rf "$out"
  echo "[curves] $name: ${settings[$name]}"
  # shellcheck disable=SC2086
  bash scripts/mpi-launch.sh 2 "$bin/p2l-train" "${common[@]}" run.output_dir="$out" ${settings[$name]} 2>&1 |
    grep -E "validation|finished" || true
done
/usr/bin/python3 bench/plot_training_curves.py docs/training_curves.png runs/curves/fp32_constant runs/curves/fp32_cosine runs/curves/bf16_cosine
