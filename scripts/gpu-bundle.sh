#!/usr/bin/env bash
# Downloads, as .deb files into ./.gpu-bundle (git-ignored), the Debian packages that
# scripts/gpu-check.sh unpacks on the GPU machine, which reaches no registry. The list is
# scripts/gpu-bundle-packages.txt; the device tool carries the folder (carry: [".gpu-bundle"]).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.gpu-bundle"
mkdir -p "$dir"
mapfile -t pkgs < <(grep -vE '^\s*(#|$)' "$root/scripts/gpu-bundle-packages.txt")
rm -f "$dir"/*.deb
(cd "$dir" && apt-get download -q "${pkgs[@]}" 2>&1 | grep -vE '^(Get|W: Download is performed unsandboxed)' || true)
n=$(find "$dir" -name '*.deb' | wc -l)
[ "$n" -eq "${#pkgs[@]}" ] || { echo "[gpu-bundle] expected ${#pkgs[@]} packages, got $n" >&2; exit 1; }
echo "[gpu-bundle] $n packages, $(du -sh "$dir" | cut -f1) in $dir"
