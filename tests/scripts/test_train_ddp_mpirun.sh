#!/bin/bash
# Data-parallel training with real processes: `mpirun -np 2` runs test_train_ddp, whose ranks
# rendezvous from the OpenMPI environment (port shared by MPI_Bcast), step on halves of fixed
# combined batches, and assert identical parameters on both ranks, equal within tolerance to a
# 1-rank run on the combined batches.
set -euo pipefail
BUILD=$1
WORK=$(mktemp -d /tmp/p2l_test_train_ddp.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MPIRUN=(mpirun --oversubscribe -np 2 -x P2L_TEST_DIR="$WORK")
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
"${MPIRUN[@]}" "$BUILD/tests/test_train_ddp" --gtest_filter="TrainDdp.TwoRanks*" --gtest_brief=1 > "$WORK/out.txt" 2>&1 || { cat "$WORK/out.txt"; echo "FAIL: mpirun -np 2 test_train_ddp" >&2; exit 1; }
n=$(grep -c "PASSED .*1 test" "$WORK/out.txt" || true)
[ "$n" = 2 ] || { cat "$WORK/out.txt"; echo "FAIL: expected both ranks to pass, got $n" >&2; exit 1; }
grep -q "training on 2 rank(s), backend gloo, device cpu" "$WORK/out.txt" || { cat "$WORK/out.txt"; echo "FAIL: ranks did not form a 2-rank gloo group" >&2; exit 1; }
# Two processes that found their rank in Open MPI's environment, not the thread fallback.
for r in 0 1; do
  grep -q "TrainDdp: process rank $r of 2 (launcher mpi)" "$WORK/out.txt" || { cat "$WORK/out.txt"; echo "FAIL: no MPI process of rank $r" >&2; exit 1; }
done
! grep -q "TrainDdp: 2 ranks as threads" "$WORK/out.txt" || { cat "$WORK/out.txt"; echo "FAIL: a process ran the thread fallback" >&2; exit 1; }
echo "ok: 2 MPI ranks match each other and the 1-rank reference"
