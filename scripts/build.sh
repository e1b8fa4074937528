#!/usr/bin/env bash
# Installs the Debian packages (if missing) and builds the project in ./build (Release).
# Usage: scripts/build.sh [ninja targets...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
build="${P2L_BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${P2L_BUILD_TYPE:-Release}"
fi
jobs="${P2L_JOBS:-$(nproc)}"
echo "[build] ninja -C $build -j$jobs $*"
ninja -C "$build" -j"$jobs" "$@"
