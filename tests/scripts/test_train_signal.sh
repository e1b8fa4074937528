#!/bin/bash
# p2l-train as a program, on a tiny store made by p2l-make-cohort + p2l-preprocess:
#  1. SIGTERM to a 1-process run: exit code 85 and a loadable last.pt; the rerun resumes from
#     it ("resumed from" in train.log) and finishes with 0;
#  2. `mpirun -np 2` + SIGUSR1 (mpirun forwards it to the ranks): both ranks stop, exit 85;
#  3. a dead rank: 2 processes by RANK/WORLD_SIZE/MASTER_*; kill -9 rank 1; rank 0 must exit
#     non-zero within train.timeout_s plus a margin;
#  4. a missing store: clear error, exit 1.
set -euo pipefail
BUILD=$1
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_train_signal.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/tiny_store.sh"
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)

make_tiny_store "$BIN" "$WORK"

COMMON=(data.store_dir="$WORK/store" train.patch_fraction=0.2 train.slices_per_step=4
        train.patches_per_step=32 train.val_patches=64 train.val_every=5 train.checkpoint_every=1000
        train.log_every=1 train.timeout_s=10 run.threads=1)
wait_rows() {  # until train_log.jsonl in $1 has $2 rows or the process $3 ended
  for _ in $(seq 600); do
    [ -f "$1/train_log.jsonl" ] && [ "$(wc -l < "$1/train_log.jsonl")" -ge "$2" ] && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# 1. SIGTERM, then resume.
OUT=$WORK/run1
"$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=100000 > "$WORK/t1.txt" 2>&1 &
PID=$!
wait_rows "$OUT" 2 $PID || { cat "$WORK/t1.txt"; fail "p2l-train did not start stepping"; }
kill -TERM $PID
set +e; wait $PID; rc=$?; set -e
[ $rc = 85 ] || { cat "$WORK/t1.txt"; fail "SIGTERM: exit code $rc, expected 85"; }
[ -s "$OUT/checkpoints/last.pt" ] || fail "no last.pt after SIGTERM"
step=$(grep -o 'stopping at step [0-9]*' "$OUT/train.log" | grep -o '[0-9]*$')
"$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=$((step + 2)) > "$WORK/t1b.txt" 2>&1 \
  || { cat "$WORK/t1b.txt"; fail "resumed run failed"; }
grep -q "resumed from .*last.pt at step $step" "$OUT/train.log" || fail "rerun did not resume from step $step"
[ -s "$OUT/checkpoints/best.pt" ] || fail "no best.pt"

# 2. mpirun -np 2, SIGUSR1.
OUT=$WORK/run2
"${MPIRUN[@]}" -np 2 "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=100000 > "$WORK/t2.txt" 2>&1 &
PID=$!
wait_rows "$OUT" 2 $PID || { cat "$WORK/t2.txt"; fail "mpirun p2l-train did not start stepping"; }
kill -USR1 $PID
set +e; wait $PID; rc=$?; set -e
[ $rc = 85 ] || { cat "$WORK/t2.txt"; fail "mpirun + SIGUSR1: exit code $rc, expected 85"; }
grep -q "training on 2 rank(s), backend gloo" "$OUT/train.log" || fail "not a 2-rank run"

# 3. A dead rank.
OUT=$WORK/run3
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export MASTER_ADDR=127.0.0.1 MASTER_PORT=$PORT WORLD_SIZE=2
RANK=0 "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=100000 > "$WORK/r0.txt" 2>&1 &
P0=$!
RANK=1 "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=100000 > "$WORK/r1.txt" 2>&1 &
P1=$!
unset MASTER_ADDR MASTER_PORT WORLD_SIZE
wait_rows "$OUT" 2 $P0 || { cat "$WORK/r0.txt" "$WORK/r1.txt"; fail "2 env ranks did not start stepping"; }
kill -9 $P1
start=$SECONDS
set +e; timeout 60 tail --pid=$P0 -f /dev/null; wait $P0; rc=$?; set -e
[ $rc != 0 ] || fail "rank 0 exited 0 after its peer died"
took=$((SECONDS - start))
echo "rank 0 noticed the dead rank after $took s (train.timeout_s=10)"
# At most the timeout, plus 5 s to write the error and exit on a loaded 2-core CI machine.
[ $took -le 15 ] || fail "rank 0 took $took s to notice the dead rank, more than train.timeout_s=10 plus 5 s"
# The trainer's own error line, not the progress lines' "location error".
grep -q "^p2l-train (rank 0): error: " "$WORK/r0.txt" || { cat "$WORK/r0.txt"; fail "rank 0 gave no error message"; }

# 4. Missing store.
set +e; "$BIN/p2l-train" data.store_dir="$WORK/nowhere" run.output_dir="$WORK/run4" > "$WORK/t4.txt" 2>&1; rc=$?; set -e
[ $rc = 1 ] && grep -q "$WORK/nowhere" "$WORK/t4.txt" || { cat "$WORK/t4.txt"; fail "missing store: rc $rc"; }
echo "ok: SIGTERM/SIGUSR1 exit 85 and resume, dead rank detected, missing store reported"
