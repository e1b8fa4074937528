#!/usr/bin/env bash
# Runs inside the image (scripts/container/check.sh, step "runtime"): is everything the
# programs need there? Every library each executable and test program loads resolves (ldd),
# every Debian package scripts/debian-packages.txt marks [run] is installed, and the programs
# the job scripts call start. Names each thing that is missing; exits 1 if any is.
set -uo pipefail
root=/opt/patch2loc
missing=()
# Each unresolved library once, with how many programs load it and the first few of them.
while read -r line; do
  missing+=("$line")
done < <(for p in "$root"/build/bin/* "$root"/build/tests/test_*; do
           ldd "$p" 2>&1 | awk -v prog="$(basename "$p")" '/not found/ {print $1, prog}'
         done | awk '{ n[$1]++; if (n[$1] <= 3) who[$1] = who[$1] (n[$1] > 1 ? ", " : "") $2 }
                     END { for (l in n) printf "library %s (loaded by %d programs: %s%s)\n", l, n[l], who[l], (n[l] > 3 ? ", ..." : "") }')
while read -r pkg; do
  dpkg-query -W -f='${Status}' "$pkg" 2> /dev/null | grep -q "install ok installed" || missing+=("Debian package $pkg")
done < <(grep -E '^\s*[^#[:space:]]+\s+\[run\]' "$root/scripts/debian-packages.txt" | awk '{print $1}')
for c in mpirun bash; do
  command -v "$c" > /dev/null || missing+=("program $c")
done
n=$(ls "$root"/build/bin/* "$root"/build/tests/test_* | wc -l)
if [ ${#missing[@]} -gt 0 ]; then
  printf 'missing in the image: %s\n' "${missing[@]}" | sort -u
  exit 1
fi
echo "runtime complete: $n programs resolve every library; $(grep -cE '^\s*[^#[:space:]]+\s+\[run\]' "$root/scripts/debian-packages.txt") [run] packages installed; $(mpirun --version | head -1)"
