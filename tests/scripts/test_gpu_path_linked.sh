#!/bin/bash
# The GPU path is compiled and linked on every machine, GPU or not: the executables that train
# and evaluate resolve LibTorch's CUDA libraries, the CUDA runtime and NCCL; p2l-train binds
# c10d's ProcessGroupNCCL constructor from libtorch_cuda; the GPU tests exist and, without a
# GPU, skip saying so. (CPU-only LibTorch builds fail this test on purpose.)
set -euo pipefail
BUILD=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
for exe in p2l-train p2l-train-ae p2l-evaluate bench_patch2loc; do
  deps=$(ldd "$BUILD/bin/$exe")
  if grep -q "not found" <<<"$deps"; then fail "$exe: unresolved libraries: $(grep 'not found' <<<"$deps" | tr -s ' \t' ' ')"; fi
  for lib in libtorch_cuda.so libc10_cuda.so libcudart.so.13 libnccl.so.2 libcudnn.so.9 libcublas.so.13; do
    grep -qE "^\s*$lib => /" <<<"$deps" || fail "$exe does not load $lib"
  done
done
torch_cuda=$(ldd "$BUILD/bin/p2l-train" | awk '$1 == "libtorch_cuda.so" {print $3}')
ctor="c10d::ProcessGroupNCCL::ProcessGroupNCCL("
# (Symbol lists go through variables: grep -q ending a pipe early would fail it under pipefail.)
needed=$(nm -DC --undefined-only "$BUILD/bin/p2l-train")
grep -qF "$ctor" <<<"$needed" || fail "p2l-train does not call $ctor"
defined=$(nm -DC --defined-only "$torch_cuda")
grep -qF "$ctor" <<<"$defined" || fail "$torch_cuda does not define $ctor"
# The GPU tests are built; here (no GPU) each one reports a skip with its reason.
for t in test_model_cuda test_train_cuda test_eval_cuda test_dist_nccl; do
  [ -x "$BUILD/tests/$t" ] || fail "GPU test $t was not built"
done
if ! "$BUILD/tests/test_model_cuda" --gtest_list_tests >/dev/null; then fail "test_model_cuda does not start"; fi
if [ "$(nvidia-smi -L 2>/dev/null | grep -c GPU || true)" = 0 ]; then
  out=$("$BUILD/tests/test_eval_cuda" 2>&1) || { echo "$out"; fail "test_eval_cuda failed without a GPU"; }
  grep -q "SKIPPED" <<<"$out" && grep -q "no CUDA device visible" <<<"$out" || { echo "$out"; fail "test_eval_cuda did not skip with its reason"; }
fi
echo "ok: CUDA and NCCL linked into the executables; GPU tests built (skipped without a GPU)"
