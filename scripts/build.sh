#!/usr/bin/env bash
# Installs the Debian packages (if missing) and builds the project in ./build (Release).
# Usage: scripts/build.sh [ninja targets...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
build="${P2L_BUILD_DIR:-$root/build}"
venv="${P2L_VENV:-$root/.venv}"
if [ ! -f "$build/build.ninja" ]; then
  args=(-DCMAKE_BUILD_TYPE="${P2L_BUILD_TYPE:-Release}" -DP2L_PYTHON="$venv/bin/python")
  # Without /usr/local/cuda, setup.sh assembled the toolkit from its wheels; torch's CMake config
  # looks for it three ways (FindCUDAToolkit, the older FindCUDA, enable_language(CUDA)).
  if [ ! -x /usr/local/cuda/bin/nvcc ]; then
    args+=(-DCUDAToolkit_ROOT="$venv/cuda" -DCUDA_TOOLKIT_ROOT_DIR="$venv/cuda"
           -DCMAKE_CUDA_COMPILER="$venv/cuda/bin/nvcc")
  fi
  cmake -S "$root" -B "$build" -G Ninja "${args[@]}"
fi
jobs="${P2L_JOBS:-$(nproc)}"
echo "[build] ninja -C $build -j$jobs $*"
ninja -C "$build" -j"$jobs" "$@"
