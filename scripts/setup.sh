#!/usr/bin/env bash
# Installs every Debian package listed in scripts/debian-packages.txt, then the project's
# Python environment ./.venv (LibTorch from the pinned torch wheel, scripts/python-requirements.txt).
# Where the machine has no CUDA 13 toolkit under /usr/local/cuda, the toolkit's PyPI wheels
# (scripts/cuda-requirements.txt) go into the environment too, assembled as $venv/cuda.
# Idempotent: apt-get runs only when a package is missing, pip only when the pins changed.
#   P2L_VENV            the Python environment (default ./.venv)
#   P2L_SETUP_PACKAGES  install the packages named in this file instead (one per line; the
#                       container's runtime stage), and no Python environment
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="${P2L_VENV:-$root/.venv}"

pip_install() {  # $1: requirements file, $2: what it is; reinstalls only when the pins changed
  local req="$1" stamp="$venv/.p2l-$(basename "$1" .txt).sha256" want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "[setup] $2 in $venv up to date"
    return
  fi
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  echo "[setup] installing $2 into $venv"
  local t0=$SECONDS
  # --no-deps: the file lists every package, pinned; nothing else is pulled in.
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r "$req"
  pip_installed=1
  echo "$want" > "$stamp"
  echo "[setup] $2 installed in $((SECONDS - t0)) s"
}

# One toolkit folder in the layout of /usr/local/cuda: every file of the wheels' nvidia/cu13,
# nvidia/cudnn and nvidia/nccl, linked, plus what the wheels leave out and CMake's FindCUDAToolkit
# looks for: the unversioned names of the libraries (libcudart.so -> libcudart.so.13), lib64
# and targets/x86_64-linux.
cuda_toolkit() {
  local site
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  rm -rf "$venv/cuda.tmp"
  mkdir -p "$venv/cuda.tmp/targets/x86_64-linux"
  local part lib
  for part in cu13 cudnn nccl; do
    cp -rs --remove-destination "$site/nvidia/$part/." "$venv/cuda.tmp/"
  done
  for lib in "$venv"/cuda.tmp/lib/lib*.so.*; do
    [ -e "${lib%%.so.*}.so" ] || ln -s "$(basename "$lib")" "${lib%%.so.*}.so"
  done
  ln -sfn lib "$venv/cuda.tmp/lib64"
  ln -sfn ../../include "$venv/cuda.tmp/targets/x86_64-linux/include"
  ln -sfn ../../lib "$venv/cuda.tmp/targets/x86_64-linux/lib"
  rm -rf "$venv/cuda"
  mv "$venv/cuda.tmp" "$venv/cuda"
  echo "[setup] CUDA toolkit from its wheels: $venv/cuda ($("$venv/cuda/bin/nvcc" --version | tail -1))"
}

python_env() {
  pip_install "$here/python-requirements.txt" "the pinned Python packages (torch wheel: about 530 MB)"
  if [ ! -x /usr/local/cuda/bin/nvcc ]; then
    pip_installed=0
    pip_install "$here/cuda-requirements.txt" "the CUDA 13 toolkit's wheels (about 3 GB installed)"
    [ "$pip_installed" = 0 ] && [ -x "$venv/cuda/bin/nvcc" ] || cuda_toolkit
  fi
}
if [ -n "${P2L_SETUP_PACKAGES:-}" ]; then
  list="$P2L_SETUP_PACKAGES"
  python_env() { :; }
else
  list="$here/debian-packages.txt"
fi
# A line is a package name, then optionally [run] (the container's runtime image keeps it).
mapfile -t pkgs < <(grep -vE '^\s*(#|$)' "$list" | awk '{print $1}')
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
