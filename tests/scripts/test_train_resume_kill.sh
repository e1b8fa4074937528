#!/bin/bash
# Resume after kill -9 in the middle of a checkpoint write, on 2 MPI ranks: rank 0 is killed
# while its temporary last.pt.tmp.<pid> is being written, after an earlier last.pt was committed.
# The rerun of the same command resumes from that earlier checkpoint, ignores the partial file,
# and ends with final weights and optimiser state equal, bit for bit, to an uninterrupted run's
# (read with the project's pinned PyTorch from .venv).
set -euo pipefail
BUILD=$1
SOURCE=$2
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_resume_kill.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/tiny_store.sh"
PY="${P2L_TEST_PYTHON:-$SOURCE/.venv/bin/python}"
[ -x "$PY" ] || fail "$PY not found: scripts/setup.sh installs the project's Python environment (.venv)"
export OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --oversubscribe -np 2)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)

make_tiny_store "$BIN" "$WORK"

# The full ResNet-18 with its Adam state: a checkpoint is about 140 MB, long enough to catch.
COMMON=(data.store_dir="$WORK/store" train.patch_fraction=0.2 train.slices_per_step=4 train.patches_per_step=32
        train.val_patches=64 train.val_every=4 train.checkpoint_every=2 train.steps=12 train.log_every=1
        train.timeout_s=20 run.threads=1)

"${MPIRUN[@]}" "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$WORK/whole" > "$WORK/whole.txt" 2>&1 \
  || { tail -5 "$WORK/whole.txt"; fail "uninterrupted run"; }

OUT=$WORK/killed
"${MPIRUN[@]}" "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" > "$WORK/killed.txt" 2>&1 &
mpipid=$!
killed=no
for _ in $(seq 1 6000); do
  # An earlier checkpoint is committed and the next one is being written.
  if [ -s "$OUT/checkpoints/last.pt" ] && ls "$OUT/checkpoints" 2>/dev/null | grep -q '^last\.pt\.tmp\.'; then
    writer=$(ls "$OUT/checkpoints" | grep '^last\.pt\.tmp\.' | head -1 | sed 's/^last\.pt\.tmp\.//')
    if kill -9 "$writer" 2>/dev/null; then killed=yes; fi
    break
  fi
  kill -0 $mpipid 2>/dev/null || break
  sleep 0.01
done
wait $mpipid || true
[ "$killed" = yes ] || fail "no checkpoint write was caught in flight (the run ended or never wrote one)"
at=$(grep -o '"step": *[0-9]*' "$OUT/train_log.jsonl" | tail -1 | grep -o '[0-9]*$')
echo "killed rank 0 (pid $writer) while it wrote a checkpoint, after step $at of 12"
[ "$at" -lt 12 ] || fail "the run had already finished"

"${MPIRUN[@]}" "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$OUT" > "$WORK/rerun.txt" 2>&1 \
  || { tail -5 "$WORK/rerun.txt"; fail "rerun after the kill"; }
grep -q "resumed from $OUT/checkpoints/last.pt at step" "$OUT/train.log" || fail "the rerun did not resume: $(head -3 "$OUT/train.log")"
grep "resumed from" "$OUT/train.log"

"$PY" - "$WORK/whole/checkpoints/last.pt" "$OUT/checkpoints/last.pt" <<'PY' || fail "final weights differ from the uninterrupted run's"
import sys
import torch
a, b = (torch.jit.load(p, map_location="cpu") for p in sys.argv[1:3])
def tensors(m):
    return {**dict(m.named_parameters()), **dict(m.named_buffers())}
ta, tb = tensors(a), tensors(b)
assert ta.keys() == tb.keys(), sorted(set(ta) ^ set(tb))
weights = [k for k in ta if k.startswith("model.")]
assert len(weights) > 100, len(weights)
bad = [k for k in ta if not torch.equal(ta[k], tb[k])]
assert not bad, f"{len(bad)} of {len(ta)} tensors differ, e.g. {bad[:3]}"
# Adam's state of every parameter. Its keys are tensor addresses of the process that wrote it,
# so the entries are matched by content: the same multiset of (exp_avg, exp_avg_sq, step).
import collections, hashlib
def adam(m):
    out = collections.Counter()
    for _, s in m.optimizer.state.named_children():
        avg, sq, step = (s._c.getattr(k) for k in ("exp_avg", "exp_avg_sq", "step"))
        digest = lambda t: hashlib.sha1(t.contiguous().view(torch.uint8).numpy().tobytes()).hexdigest()
        out[(tuple(avg.shape), digest(avg), digest(sq), int(step))] += 1
    return out
sa, sb = adam(a), adam(b)
assert sum(sa.values()) >= 60, sum(sa.values())
assert sa == sb, f"{sum((sa - sb).values())} of {sum(sa.values())} parameters' Adam state differ"
print(f"final weights ({len(weights)} model tensors) and Adam state ({sum(sa.values())} parameters) equal bit for bit")
PY
echo "PASS"
