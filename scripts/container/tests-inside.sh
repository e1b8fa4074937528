#!/usr/bin/env bash
# Runs inside the image (scripts/container/check.sh): a subset of the test suite against the
# image's own programs. The GoogleTest programs of the listed components (their GPU cases skip,
# saying so, without a GPU), then two multi-process tests: `mpirun -np 2` training ranks that
# must agree (test_train_ddp_mpirun) and the CUDA path linked (test_gpu_path_linked).
# Usage: tests-inside.sh [test program glob ...]
set -euo pipefail
root=/opt/patch2loc
build="$root/build"
globs=("$@")
[ ${#globs[@]} -gt 0 ] || globs=(test_config* test_io_* test_store_* test_scoring_* test_model_* test_dist_world
                                 test_train_losses test_train_sampler test_eval_heatmap test_eval_scale_set test_report_png)
passed=0 failed=()
# run_one NAME SUMMARY CMD...: runs CMD; on success prints NAME, SUMMARY's output on CMD's output, and the time.
run_one() {
  local name=$1 summary=$2 t0=$SECONDS out
  shift 2
  if out=$("$@" 2>&1); then
    echo "ok   $name ($($summary <<<"$out"), $((SECONDS - t0)) s)"
    passed=$((passed + 1))
  else
    echo "$out" | tail -30
    echo "FAIL $name"
    failed+=("$name")
  fi
}
gtest_counts() {  # "N passed[, M skipped]" from a GoogleTest program's output
  local out ran skipped
  out=$(cat)
  ran=$(grep -E '^\[  PASSED  \]' <<<"$out" | grep -oE '[0-9]+' | head -1 || true)
  skipped=$(grep -E '^\[  SKIPPED \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | head -1 || true)
  echo "${ran:-0} passed${skipped:+, $skipped skipped}"
}
last_line() { tail -1; }
for g in "${globs[@]}"; do
  for t in "$build"/tests/$g; do
    [ -x "$t" ] || { echo "tests-inside: no test program matches $g" >&2; failed+=("$g"); continue; }
    run_one "$(basename "$t")" gtest_counts "$t" --gtest_brief=1
  done
done
for s in test_train_ddp_mpirun test_gpu_path_linked; do
  run_one "$s" last_line bash "$root/tests/scripts/$s.sh" "$build" "$root"
done
echo "tests-inside: $passed passed, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
