#!/usr/bin/env bash
# Installs every Debian package listed in scripts/debian-packages.txt, then the project's
# Python environment ./.venv (LibTorch from the pinned torch wheel, scripts/python-requirements.txt).
# Idempotent: apt-get runs only when a package is missing, pip only when the pins changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

python_env() {
  local venv="${P2L_VENV:-$root/.venv}" req="$here/python-requirements.txt"
  local stamp="$venv/.p2l-requirements.sha256" want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "[setup] Python environment $venv up to date"
    return
  fi
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  echo "[setup] installing the pinned Python packages into $venv (torch wheel: about 530 MB)"
  local t0=$SECONDS
  # --no-deps: the file lists every package; CUDA libraries come from the toolkit instead.
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r "$req"
  echo "$want" > "$stamp"
  echo "[setup] Python packages installed in $((SECONDS - t0)) s"
}
mapfile -t pkgs < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[setup] all ${#pkgs[@]} Debian packages present"
  python_env
  exit 0
fi
echo "[setup] installing ${#missing[@]} packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Update the lists when they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
python_env
