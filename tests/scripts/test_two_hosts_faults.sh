#!/bin/bash
# Faults across two test hosts (tests/support/test_hosts.sh), training with one rank per host
# launched by RANK/WORLD_SIZE/MASTER_ADDR=h1, train.timeout_s=10:
#  1. a cut link (h2's cable down mid-training): both ranks exit non-zero within the timeout
#     plus 15 s, with an error naming the collective; with the link back, the rerun resumes from
#     last.pt and its losses and final validation equal an uninterrupted run's;
#  2. a host that dies (every process of h2 killed mid-step): rank 0 exits non-zero within the
#     same bound, naming the collective, and leaves no partial checkpoint;
#  3. a host that never joins (only rank 0 starts): rank 0 gives up after the rendezvous
#     timeout plus 15 s, naming the store address and how many ranks joined.
# The 15 s margin: a loaded 2-core machine, process exit and the error's write. Exits 77
# (skipped) with the reason where namespaces are not allowed.
set -euo pipefail
BUILD=$1
SRC=$2
BIN=$BUILD/bin
source "$SRC/tests/scripts/tiny_store.sh"
source "$SRC/tests/support/test_hosts.sh"
test_hosts_for p2l_test_two_hosts_faults 2 "$BUILD"
make_tiny_store "$BIN" "$SHARED"
TIMEOUT=10
BOUND=$((TIMEOUT + 15))
COMMON=(data.store_dir="$SHARED/store" train.patch_fraction=0.2 train.slices_per_step=4 train.patches_per_step=32
        train.val_patches=64 train.val_every=1000 train.checkpoint_every=2 train.log_every=1 train.timeout_s=$TIMEOUT
        run.threads=1 train.precision=fp32)
PORT=29600

# start_rank HOST RANK OUT_DIR LOG [overrides...]: one rank on host hHOST in the background.
start_rank() {
  local host=$1 rank=$2 out=$3 log=$4
  shift 4
  on_host "$host" env MASTER_ADDR=h1 MASTER_PORT=$PORT WORLD_SIZE=2 RANK="$rank" \
    "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$out" "$@" > "$log" 2>&1 &
}
rows() { [ -f "$1/train_log.jsonl" ] && wc -l < "$1/train_log.jsonl" || echo 0; }
wait_rows() {  # until $1's train_log.jsonl has $2 rows, at most 120 s
  for _ in $(seq 600); do
    [ "$(rows "$1")" -ge "$2" ] && return 0
    sleep 0.2
  done
  return 1
}
# wait_exit PID LOG: sets CODE to its exit code; fails when it outlives $BOUND s from now.
wait_exit() {
  local pid=$1 start=$SECONDS
  CODE=0
  timeout $((BOUND + 5)) tail --pid="$pid" -f /dev/null || true
  if kill -0 "$pid" 2> /dev/null; then  # still running: end it, so the test never hangs
    kill -9 "$pid" 2> /dev/null || true
  fi
  wait "$pid" || CODE=$?
  [ $((SECONDS - start)) -le $BOUND ] || { cat "$2"; fail "$2: still running $((SECONDS - start)) s after the fault (bound $BOUND s)"; }
  echo "$2: exit code $CODE after $((SECONDS - start)) s"
}
losses() { grep -o '"\(val_\)\?loss": [^,]*' "$1/train_log.jsonl"; }

# 1. A cut link, then resume.
PORT=$((PORT + 1))
start_rank 1 0 "$SHARED/cut" r0.txt train.steps=100000; P0=$!
start_rank 2 1 "$SHARED/cut" r1.txt train.steps=100000; P1=$!
wait_rows "$SHARED/cut" 5 || { cat r0.txt r1.txt; fail "the ranks did not start stepping"; }
host_link 2 down
wait_exit $P0 r0.txt; c0=$CODE
wait_exit $P1 r1.txt; c1=$CODE
host_link 2 up
[ "$c0" != 0 ] && [ "$c1" != 0 ] || fail "cut link: exit codes $c0 and $c1"
for r in 0 1; do
  grep -qE "^p2l-train \(rank $r\): error: .*(all-reduce|broadcast|barrier) failed" r$r.txt || { cat r$r.txt; fail "cut link: rank $r's error names no collective"; }
done
[ -s cut/checkpoints/last.pt ] || fail "cut link: no last.pt"
step=$(python3 -c "import json; print(max(json.loads(l).get('step', 0) for l in open('$SHARED/cut/train_log.jsonl')))")
END=$((step + 3))
PORT=$((PORT + 1))
start_rank 1 0 "$SHARED/cut" r0b.txt train.steps=$END; P0=$!
start_rank 2 1 "$SHARED/cut" r1b.txt train.steps=$END; P1=$!
wait $P0 && wait $P1 || { cat r0b.txt r1b.txt; fail "the rerun after the cut failed"; }
last=$(grep -o 'resumed from .*last.pt at step [0-9]*' cut/train.log | grep -o '[0-9]*$') || { cat cut/train.log; fail "the rerun did not resume"; }
PORT=$((PORT + 1))
start_rank 1 0 "$SHARED/whole" w0.txt train.steps=$END; P0=$!
start_rank 2 1 "$SHARED/whole" w1.txt train.steps=$END; P1=$!
wait $P0 && wait $P1 || { cat w0.txt w1.txt; fail "the uninterrupted run failed"; }
# The resumed steps' losses and the final validation equal the uninterrupted run's.
[ "$(losses cut | tail -4)" = "$(losses whole | tail -4)" ] || { paste <(losses cut | tail -4) <(losses whole | tail -4); fail "the resumed run differs from the uninterrupted one"; }
echo "cut link: both ranks stopped within $BOUND s; resumed at step $last of $step, the last 3 steps and validation equal the uninterrupted run's"

# 2. A host dies mid-step.
PORT=$((PORT + 1))
start_rank 1 0 "$SHARED/dead" d0.txt train.steps=100000; P0=$!
start_rank 2 1 "$SHARED/dead" d1.txt train.steps=100000; P1=$!
wait_rows "$SHARED/dead" 5 || { cat d0.txt d1.txt; fail "the ranks did not start stepping"; }
host_kill_all 2
wait_exit $P0 d0.txt; c0=$CODE
wait $P1 2> /dev/null || true
[ "$c0" != 0 ] || fail "dead host: rank 0 exited 0"
grep -qE "^p2l-train \(rank 0\): error: .*(all-reduce|broadcast|barrier) failed" d0.txt || { cat d0.txt; fail "dead host: rank 0's error names no collective"; }
[ -z "$(ls -A dead/checkpoints | grep -v '^\(last\|best\)\.pt$' || true)" ] || { ls -la dead/checkpoints; fail "dead host: a partial checkpoint was left"; }
echo "dead host: rank 0 stopped within $BOUND s, no partial checkpoint"

# 3. A host that never joins.
PORT=$((PORT + 1))
start_rank 1 0 "$SHARED/alone" a0.txt train.steps=10; P0=$!
wait_exit $P0 a0.txt; c0=$CODE
[ "$c0" != 0 ] || fail "never joined: rank 0 exited 0"
grep -q "^p2l-train (rank 0): error: h1:$PORT: rendezvous of rank 0 of 2 failed: .*1/2 clients joined" a0.txt \
  || { cat a0.txt; fail "never joined: the error does not say what rank 0 waited for"; }
echo "ok: cut link, dead host and a host that never joins all end within $BOUND s with clear errors"
