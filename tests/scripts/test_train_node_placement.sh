#!/bin/bash
# The node of every training rank comes from the identities the ranks exchange, not from the
# launcher's variables (dist/NodePlacement.hpp), and the node's training slices have exactly one
# writer and never a name (train/PackedSlices.hpp). On a tiny store:
#  1. the reference: `mpirun -np 2`, a few steps, its losses;
#  2. the env launch (RANK/WORLD_SIZE/MASTER_*, no LOCAL_RANK) repeated P2L_ENV_REPEATS (20)
#     times: every run exits 0, exactly one rank says it wrote the node's slices, the losses
#     equal the mpirun run's;
#  3. a launcher that lies (LOCAL_RANK=0 on both ranks): logged in train.log, corrected (one
#     writer, ranks placed 0 and 1), the same losses;
#  4. kill -9 of both ranks at random moments of start-up, P2L_KILL_REPEATS (10) times: the
#     shared-slices folder holds nothing afterwards. One rank, chosen at random, is frozen
#     (SIGSTOP) at the random moment and the other is given 0.3 s to reach its next wait, so
#     the kills also land where one rank waits on the other (after writing, before mapping).
#     And through all of this test's runs, `inotifywait` sees no name created in that folder:
#     the node's file never has one, so no moment of a kill could leave it behind.
set -euo pipefail
BUILD=$1
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_node_placement.XXXXXX)
SHM=$(mktemp -d /dev/shm/p2l_test_node_placement.XXXXXX)  # this test's own RAM folder
trap 'rm -rf "$WORK" "$SHM"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/tiny_store.sh"
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
ENV_REPEATS=${P2L_ENV_REPEATS:-20}
KILL_REPEATS=${P2L_KILL_REPEATS:-10}

make_tiny_store "$BIN" "$WORK"
command -v inotifywait > /dev/null || fail "inotifywait not found (Debian's inotify-tools; scripts/setup.sh installs it)"
inotifywait -m -e create,moved_to --format '%e %f' "$SHM" > "$WORK/shm-events.txt" 2> "$WORK/inotify.txt" &
WATCH=$!
# The watcher may be gone already (killed below): a failing kill must not end the trap under set -e.
trap 'kill $WATCH 2>/dev/null || true; rm -rf "$WORK" "$SHM"' EXIT
for _ in $(seq 50); do grep -q "Watches established" "$WORK/inotify.txt" 2>/dev/null && break; sleep 0.1; done
STEPS=3
COMMON=(data.store_dir="$WORK/store" train.patch_fraction=0.2 train.slices_per_step=4
        train.patches_per_step=32 train.val_patches=64 train.val_every=1000 train.checkpoint_every=1000
        train.log_every=1 train.timeout_s=30 run.threads=1 train.precision=fp32
        train.shared_slices_dir="$SHM")
losses() { grep -o '"loss": [^,]*' "$1/train_log.jsonl"; }
writers() { grep -c "wrote the training slices of node" "$@" | awk -F: '{s += $NF} END {print s}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 1. Reference: Open MPI's launch.
OUT=$WORK/mpi
"${MPIRUN[@]}" -np 2 "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=$STEPS > "$WORK/mpi.txt" 2>&1 \
  || { cat "$WORK/mpi.txt"; fail "mpirun -np 2 p2l-train"; }
want=$(losses "$OUT")
[ "$(echo "$want" | wc -l)" = $STEPS ] || { cat "$WORK/mpi.txt"; fail "mpirun run logged no $STEPS losses"; }
[ "$(writers "$WORK/mpi.txt")" = 1 ] || { cat "$WORK/mpi.txt"; fail "mpirun run: not exactly one writer"; }

# Two ranks by RANK/WORLD_SIZE/MASTER_*; extra variables for both ranks come as arguments.
env_launch() {  # out_dir log_prefix [VAR=value ...]
  local out=$1 log=$2
  shift 2
  local port
  port=$(free_port)
  env "$@" MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=0 \
    "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$out" train.steps=$STEPS > "$log.r0" 2>&1 &
  local p0=$!
  env "$@" MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=1 \
    "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$out" train.steps=$STEPS > "$log.r1" 2>&1 &
  local p1=$!
  local rc0=0 rc1=0
  wait $p0 || rc0=$?
  wait $p1 || rc1=$?
  [ $rc0 = 0 ] && [ $rc1 = 0 ] || { cat "$log.r0" "$log.r1"; fail "$out: ranks exited $rc0 and $rc1"; }
}

# 2. The env launch without LOCAL_RANK, repeated.
for i in $(seq "$ENV_REPEATS"); do
  OUT=$WORK/env$i
  env_launch "$OUT" "$WORK/env$i"
  n=$(writers "$WORK/env$i.r0" "$WORK/env$i.r1")
  [ "$n" = 1 ] || { cat "$WORK/env$i.r0" "$WORK/env$i.r1"; fail "env launch $i: $n writers of the node's slices, expected 1"; }
  [ "$(losses "$OUT")" = "$want" ] || { losses "$OUT"; echo "$want"; fail "env launch $i: losses differ from the mpirun run's"; }
done
echo "env launch without LOCAL_RANK: $ENV_REPEATS runs, each with one writer and the mpirun run's losses"

# 3. A launcher that lies: LOCAL_RANK=0 on both ranks of one node.
OUT=$WORK/lie
env_launch "$OUT" "$WORK/lie" LOCAL_RANK=0
grep -q "warning: rank 1: the launcher's LOCAL_RANK=0 disagree(s) with the ranks' exchanged node identities, which make it local rank 1 of 2" "$OUT/train.log" \
  || { cat "$OUT/train.log"; fail "the lying LOCAL_RANK was not logged"; }
grep -q "placement from the ranks' exchanged node identities: 1 node(s); rank 0 is local rank 0 of 2" "$OUT/train.log" \
  || { cat "$OUT/train.log"; fail "no placement line"; }
[ "$(writers "$WORK/lie.r0" "$WORK/lie.r1")" = 1 ] || fail "lying launcher: not exactly one writer"
[ "$(losses "$OUT")" = "$want" ] || fail "lying launcher: losses differ from the mpirun run's"

# 4. kill -9 of the whole job at random moments of its start-up.
[ -z "$(ls -A "$SHM")" ] || { ls -la "$SHM"; fail "$SHM not empty before the kills"; }
for i in $(seq "$KILL_REPEATS"); do
  OUT=$WORK/kill$i
  port=$(free_port)
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=0 \
    "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=100000 > "$WORK/kill$i.r0" 2>&1 &
  p0=$!
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=1 \
    "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" train.steps=100000 > "$WORK/kill$i.r1" 2>&1 &
  p1=$!
  # A random moment of the start-up (up to 4 s, in 50 ms steps; it ends sooner when the ranks
  # start stepping).
  for _ in $(seq $((RANDOM % 80))); do
    [ -s "$OUT/train_log.jsonl" ] && break
    sleep 0.05
  done
  victim=$([ $((RANDOM % 2)) = 0 ] && echo $p0 || echo $p1)
  kill -STOP "$victim" 2>/dev/null || true
  sleep 0.3
  kill -9 $p0 $p1 2>/dev/null || true
  wait $p0 $p1 2>/dev/null || true
  left=$(ls -A "$SHM")
  [ -z "$left" ] || { ls -la "$SHM"; fail "kill $i left files in $SHM: $left"; }
done
kill $WATCH
[ ! -s "$WORK/shm-events.txt" ] || { cat "$WORK/shm-events.txt"; fail "names were created in $SHM during the runs"; }
echo "ok: one writer per node from exchanged identities; a lying LOCAL_RANK corrected; $KILL_REPEATS kills left nothing in $SHM"
