#!/usr/bin/env bash
# In the image's build stage: gathers, at their own paths under STAGE, what the runtime stage
# keeps, and names the Debian packages it needs in STAGE/runtime-packages.txt:
#   - the executables (build/bin) and the test programs (build/tests/test_*);
#   - LibTorch's libraries and the CUDA libraries of the Python environment (no headers, no nvcc);
#   - every Debian package that owns a library those programs load (ldd), and every package of
#     scripts/debian-packages.txt marked [run] (programs, data and plugins nothing links).
# A library no package owns and the environment does not hold fails the stage, naming it.
# Usage: stage-runtime.sh STAGE
set -euo pipefail
stage="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${P2L_VENV:-$root/.venv}"
build="${P2L_BUILD_DIR:-$root/build}"
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
rm -rf "$stage"
mkdir -p "$stage$build/bin" "$stage$build/tests" "$stage$site/torch" "$stage$venv"

cp -a "$build/bin/." "$stage$build/bin/"
find "$build/tests" -maxdepth 1 -type f -name 'test_*' -perm -u+x -exec cp -a {} "$stage$build/tests/" \;
cp -a "$site/torch/lib" "$stage$site/torch/lib"
for lib in "$site"/nvidia/*/lib; do
  mkdir -p "$stage$lib"
  find "$lib" -maxdepth 1 -name '*.so*' -exec cp -a {} "$stage$lib/" \;
done
if [ -d "$venv/cuda/lib" ]; then  # the toolkit folder the executables were linked against
  mkdir -p "$stage$venv/cuda"
  cp -a "$venv/cuda/lib" "$stage$venv/cuda/"
  find "$stage$venv/cuda/lib" -type l ! -name '*.so*' -delete
fi

# One ldd pass over every program: what fails to resolve, and the files that do.
programs=("$stage$build"/bin/* "$stage$build"/tests/test_*)
loads=$(for p in "${programs[@]}"; do ldd "${p#"$stage"}" 2>&1 || true; done)
missing=$(grep "not found" <<< "$loads" | sort -u || true)
[ -z "$missing" ] || { echo "[stage] unresolved libraries: $missing" >&2; exit 1; }
owner() {  # the package that owns library $1 (merged /usr: try the path, its target, both prefixes)
  local p
  for p in "$1" "$(readlink -f "$1")" "${1#/usr}" "/usr$1"; do
    dpkg-query -S "$p" 2> /dev/null | head -1 | cut -d: -f1 && return
  done
  return 1
}
libs=$(awk '$2 == "=>" && $3 ~ /^\// {print $3}' <<< "$loads" | sort -u)
{
  for lib in $libs; do
    case "$lib" in "$root"/*|"$venv"/*) continue ;; esac
    owner "$lib" || { echo "[stage] no Debian package owns $lib" >&2; exit 1; }
  done
  grep -E '^\s*[^#[:space:]]+\s+\[run\]' "$root/scripts/debian-packages.txt" | awk '{print $1}'
} | sort -u > "$stage/runtime-packages.txt"
echo "[stage] $(ls "$stage$build/bin" | wc -l) executables, $(ls "$stage$build/tests" | wc -l) test programs," \
     "$(du -sh "$stage/opt" | cut -f1) in all; $(wc -l < "$stage/runtime-packages.txt") Debian packages:" \
     "$(tr '\n' ' ' < "$stage/runtime-packages.txt")"
