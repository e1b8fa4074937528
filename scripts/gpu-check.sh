#!/usr/bin/env bash
# The GPU check, one command for the device tool's H200 machine (docs/PERFORMANCE.md):
#   here:    bash scripts/gpu-bundle.sh      (the Debian libraries as .deb files, about 33 MB)
#   there:   device run, command "bash scripts/gpu-check.sh", carry [".gpu-bundle"]
# It unpacks .gpu-bundle/ into a prefix (the machine reaches no registry), builds the project
# against that machine's PyTorch (its python3's torch: LibTorch, CUDA, NCCL), runs the GPU tests
# (ctest -L gpu) and the GPU benchmarks against the same PyTorch, eager and torch.compile, and
# writes JSON and logs under $OUT. Planned to finish in at most 8 minutes.
# Rehearsal on a machine without a GPU: P2L_GPU_CHECK_REHEARSAL=1 bash scripts/gpu-check.sh
# (finds nothing under /usr, so every library must come from the prefix; small benchmark sizes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rehearsal="${P2L_GPU_CHECK_REHEARSAL:-0}"
out="${OUT:-$root/gpu-check-out}"
mkdir -p "$out"
exec > >(tee "$out/gpu-check.log") 2>&1
start=$SECONDS
step() { echo "[gpu-check] $((SECONDS - start)) s: $*"; }
prefix="${P2L_PREFIX:-/tmp/p2l-prefix}"
build="${P2L_GPU_BUILD_DIR:-/tmp/p2l-gpu-build}"
python="${P2L_PYTHON:-python3}"
[ "$rehearsal" = 1 ] && python="${P2L_PYTHON:-$root/.venv/bin/python}"
jobs="$(nproc)"

step "machine: $(nproc) cores; $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo 'no GPU')"
step "torch: $("$python" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "gpu", torch.cuda.is_available())')"

debs=(.gpu-bundle/*.deb)
[ -f "${debs[0]}" ] || { echo "no .gpu-bundle/*.deb: run scripts/gpu-bundle.sh here and carry .gpu-bundle" >&2; exit 2; }
step "unpacking ${#debs[@]} packages into $prefix"
rm -rf "$prefix"
mkdir -p "$prefix"
for d in "${debs[@]}"; do dpkg -x "$d" "$prefix"; done
lib="$prefix/usr/lib/x86_64-linux-gnu"
# The machine's own copy of a library wins: drop our soname links it also has (the versioned
# files stay, for the CMake configurations that name them).
if [ "$rehearsal" != 1 ]; then
  have="$(ldconfig -p | awk '{print $1}')"
  dropped=0
  for f in "$lib"/*.so.*; do
    name="$(basename "$f")"
    if [ -L "$f" ] && grep -qxF "$name" <<<"$have"; then rm -f "$f"; dropped=$((dropped + 1)); fi
  done
  step "kept the machine's own copy of $dropped libraries"
fi
export LD_LIBRARY_PATH="$lib:$lib/openmpi/lib:$lib/hdf5/serial${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$prefix/usr/bin:$PATH"
export OPAL_PREFIX="$prefix/usr"  # OpenMPI's wrappers and data files, relocated
export PKG_CONFIG_LIBDIR="$lib/pkgconfig:$prefix/usr/share/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$prefix"

# Headers the CUDA toolkit may lack there (nccl.h, cudnn.h) can sit in the nvidia-* wheels
# beside that python's torch: offer them after every -isystem directory, as a fallback.
nvidia="$("$python" -c 'import importlib.util as u; s = u.find_spec("nvidia"); print(list(s.submodule_search_locations)[0] if s else "")' 2>/dev/null || true)"
if [ -n "$nvidia" ]; then
  for d in "$nvidia"/*/include; do [ -d "$d" ] && export CPLUS_INCLUDE_PATH="${CPLUS_INCLUDE_PATH:+$CPLUS_INCLUDE_PATH:}$d"; done
  for d in "$nvidia"/*/lib; do [ -d "$d" ] && export LIBRARY_PATH="${LIBRARY_PATH:+$LIBRARY_PATH:}$d"; done
  [ -d "$nvidia/cudnn" ] && export CUDNN_ROOT="$nvidia/cudnn"
fi

step "configuring in $build"
ignore=()
[ "$rehearsal" = 1 ] && ignore=(-DCMAKE_IGNORE_PREFIX_PATH="/usr;/" -DCMAKE_SYSTEM_IGNORE_PREFIX_PATH="/usr;/")
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DP2L_PYTHON="$python" \
  -DTORCH_CUDA_ARCH_LIST="9.0" -DCMAKE_PREFIX_PATH="$prefix/usr" -DCMAKE_LIBRARY_ARCHITECTURE=x86_64-linux-gnu \
  -DITK_DIR="$prefix/usr/lib/cmake/ITK-5.2" -DPKG_CONFIG_EXECUTABLE="$prefix/usr/bin/pkgconf" \
  -DMPI_CXX_COMPILER="" -DMPI_CXX_HEADER_DIR="$lib/openmpi/include" -DMPI_CXX_LIB_NAMES=mpi \
  -DMPI_mpi_LIBRARY="$lib/openmpi/lib/libmpi.so" -DMPI_CXX_SKIP_MPICXX=ON \
  -DHDF5_C_COMPILER_EXECUTABLE="" -DHDF5_CXX_COMPILER_EXECUTABLE="" -DHDF5_NO_FIND_PACKAGE_CONFIG_FILE=ON \
  -DHDF5_C_INCLUDE_DIR="$prefix/usr/include/hdf5/serial" -DHDF5_CXX_INCLUDE_DIR="$prefix/usr/include/hdf5/serial" \
  -DHDF5_C_LIBRARY_hdf5="$lib/hdf5/serial/libhdf5.so" -DHDF5_CXX_LIBRARY_hdf5="$lib/hdf5/serial/libhdf5.so" \
  -DHDF5_CXX_LIBRARY_hdf5_cpp="$lib/hdf5/serial/libhdf5_cpp.so" \
  "${ignore[@]}" > "$out/configure.log" 2>&1 ||
  { tail -40 "$out/configure.log"; exit 1; }
grep -E "patch2loc:|PyTorch: CUDA detected" "$out/configure.log" || true

targets=(test_model_cuda test_train_cuda test_eval_cuda test_dist_nccl test_eval_device_maps bench_patch2loc bench_train)
step "building ${targets[*]} with $jobs jobs"
ninja -C "$build" -j"$jobs" "${targets[@]}" > "$out/build.log" 2>&1 || { grep -B2 -A12 "error" "$out/build.log" | head -60; exit 1; }

step "GPU tests"
tests_rc=0
(cd "$build" && ctest -R "Cuda|Nccl|EvalTensor|EvalUpsample|EvalGridBrain" --output-on-failure --timeout 300 \
  --output-junit "$out/gpu-tests.xml") > "$out/gpu-tests.log" 2>&1 || tests_rc=$?
grep -E "tests passed|Skipped|Failed|Passed|No tests" "$out/gpu-tests.log" | tail -20 || true

step "benchmarks"
device=cuda side=192 depth=100 patch=24 batch=8096 steps=10
[ "$rehearsal" = 1 ] && device=cpu side=48 depth=6 patch=6 batch=64 steps=2
bench="$build/bin/bench_patch2loc"
ref=("$python" "$root/bench/reference/patch2loc_reference.py")
results="$out/gpu-bench.jsonl"
: > "$results"
record() { local what="$1"; shift; local line; line="$("$@" 2>>"$out/bench-stderr.log" | tail -1)" || line='{"error": "failed"}'; echo "{\"what\": \"$what\", \"result\": $line}" | tee -a "$results"; }
common=(--threads "$jobs" --patch "$patch" --steps "$steps")
for prec in fp32 bf16; do
  record "train ours $prec" "$bench" train "${common[@]}" --batch "$batch" --side "$side" --device "$device" --precision "$prec"
done
bf=(); [ "$device" = cuda ] && bf=(--device cuda)
record "train pytorch eager fp32" "${ref[@]}" train "${common[@]}" --batch "$batch" "${bf[@]}"
record "train pytorch eager bf16" "${ref[@]}" train "${common[@]}" --batch "$batch" "${bf[@]}" --bf16
record "train pytorch compiled bf16" "${ref[@]}" train "${common[@]}" --batch "$batch" "${bf[@]}" --bf16 --compile
heat="$out/heatmap"
mkdir -p "$heat"
halfs=(fp16 fp32)
[ "$device" = cpu ] && halfs=(bf16 fp32)  # autocast to fp16 is a GPU precision
for prec in "${halfs[@]}"; do  # fp32 last: the reference compares its maps with the last ones
  record "infer stride 1 ours $prec" "$bench" infer --threads "$jobs" --patch "$patch" --stride 1 --side "$side" --depth "$depth" \
    --device "$device" --precision "$prec" --out "$heat"
done
half=(); [ "$device" = cuda ] && half=(--half)
record "infer stride 1 pytorch eager fp16" "${ref[@]}" infer --threads "$jobs" --stride 1 --dir "$heat" "${bf[@]}" "${half[@]}"
record "infer stride 1 pytorch compiled fp16" "${ref[@]}" infer --threads "$jobs" --stride 1 --dir "$heat" "${bf[@]}" "${half[@]}" --compile
rm -rf "$heat"
step "done in $((SECONDS - start)) s; tests exit code $tests_rc; results in $results"
exit "$tests_rc"
