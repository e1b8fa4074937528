#!/bin/bash
# Faults that must lose nothing, on tiny fixtures (tiny_store.sh: 4 mm cohort, 40 x 40 x 12):
#  1. kill -9 of p2l-preprocess (2 ranks) while a shard temporary shard-*.h5.tmp.<pid> is open,
#     after an earlier shard was committed: the rerun of the same command exits 0, reuses the
#     committed shards, leaves no temporary, and ends with a store (manifest and every array)
#     identical to a clean run's.
#  2. kill -9 of p2l-evaluate while it writes the raw heatmap of its 2nd volume (the temporary
#     heatmaps/<split>/raw/.tmp.<pid>.<n>.nii.gz, caught with inotify): the rerun says some
#     volumes were cached and some computed ("N computed, M cached"), reports no error, leaves no
#     temporary, and its report/table.md is byte-identical to a clean evaluation's.
#  3. a full disk (a small tmpfs; needs root, else "SKIP"):
#     3a. p2l-train with run.output_dir on a tmpfs that holds one checkpoint and a half: the
#         second last.pt cannot be written. Exit code 1 (not a crash), a message naming the
#         checkpoint and "No space left on device", no partial temporary left, and the previous
#         last.pt intact: a rerun with space resumes from it;
#     3b. p2l-preprocess with data.store_dir on a tmpfs that holds 3 shards: a non-zero exit, a
#         message naming the shard and "No space left on device", the committed shards readable,
#         no temporary left; after growing the tmpfs the rerun exits 0, reuses the committed
#         shards and ends identical to a clean store.
#  4. corrupted bytes in the middle of a committed shard (dd conv=notrunc):
#     4a. default (gzip) store, a training and a test subject's shard corrupted: p2l-train and
#         p2l-evaluate fail with a message naming the shard, the subject, and that it is corrupt,
#         pointing at p2l-preprocess; a rerun of p2l-preprocess notices the damage, redoes those
#         subjects and ends identical to the undamaged store, which then trains;
#     4b. uncompressed store (preprocess.compression_level=0), a training subject's shard
#         corrupted: p2l-train must not train on the garbage (same message), and a rerun of
#         p2l-preprocess redoes the subject.
# Parts are selectable: P2L_FAULTS=1,2 (tokens 1 2 3 3a 3b 4 4a 4b; default all). Every selected
# part runs even when an earlier one fails; the script fails when any part does.
# P2L_FAULTS_KEEP=1 keeps the work folder (its path is printed) for a look at the outputs.
set -euo pipefail
BUILD=$1
SOURCE=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=$BUILD/bin
WORK=$(mktemp -d /tmp/p2l_test_faults.XXXXXX)
cleanup() {
  if [ -f "$WORK/mounts" ]; then
    while read -r m; do mountpoint -q "$m" 2>/dev/null && umount "$m" 2>/dev/null || true; done < "$WORK/mounts"
  fi
  if [ -n "${P2L_FAULTS_KEEP:-}" ]; then echo "kept $WORK (P2L_FAULTS_KEEP)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/tiny_store.sh"   # fail, make_tiny_store
pass() { echo "PASS: $*"; }
export OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)

FX=$WORK/fx          # tiny cohort (FX/cohort) and store (FX/store), made once below
PRE=(data.data_dir="$FX/cohort" data.test_sets=[tumor] "preprocess.image_dim=[40,40,12]" run.progress_seconds=0)
TRAIN=(train.patch_fraction=0.2 train.slices_per_step=4 train.patches_per_step=32 train.val_patches=64
       train.log_every=1 run.threads=1)
EVAL=(data.data_dir="$FX/cohort" data.test_sets=[tumor] train.patch_fraction=0.2 eval.stride=4
      eval.figure_slices=1 run.progress_seconds=0 run.threads=1)

# --- helpers ------------------------------------------------------------------------------------
source "$(dirname "${BASH_SOURCE[0]}")/store_checks.sh"   # same_store, manifest_matches_shards

# Temporaries (atomic-write leftovers, dot files included) under a folder, one a line.
temps_in() { find "$1" -name '*.tmp.*' 2>/dev/null || true; }

# "A preprocessed, B reused" of a p2l-preprocess summary in file $1: prints "A B".
pre_counts() {
  local line
  line=$(grep -o '[0-9]* preprocessed, [0-9]* reused' "$1" | tail -1)
  [ -n "$line" ] || { echo "-1 -1"; return; }
  echo "$line" | awk '{print $1, $3}'
}

# Overwrites 1 KiB in the middle of file $1 with 0xA5 bytes.
corrupt_middle() {
  local f=$1 size
  size=$(stat -c %s "$f")
  head -c 1024 /dev/zero | tr '\0' '\245' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
}

# The shard file that holds split $2 subject index $3 in store $1.
shard_of() {
  python3 -c "import json,sys; m=json.load(open(sys.argv[1]+'/manifest.json')); print(m['splits'][sys.argv[2]][int(sys.argv[3])]['shard'])" "$1" "$2" "$3"
}
subject_of() {
  python3 -c "import json,sys; m=json.load(open(sys.argv[1]+'/manifest.json')); print(m['splits'][sys.argv[2]][int(sys.argv[3])]['id'])" "$1" "$2" "$3"
}

# Mounts a tmpfs of $2 (e.g. 200m, 256k) at $1; returns 1 (with a SKIP line) when not permitted.
mount_tmpfs() {
  mkdir -p "$1"
  if ! mount -t tmpfs -o "size=$2" tmpfs "$1" 2>"$WORK/mount.err"; then
    echo "SKIP: cannot mount a tmpfs (needs root): $(head -1 "$WORK/mount.err"); part ${CURRENT_PART:-?} not checked"
    touch "$WORK/skipped.${CURRENT_PART:-?}"
    return 1
  fi
  echo "$1" >> "$WORK/mounts"
}

# A 2-step model trained on the tiny store (made once; parts 2 and 4a evaluate it).
tiny_model() {
  [ -s "$WORK/model/checkpoints/best.pt" ] && return 0
  "$BIN/p2l-train" data.store_dir="$FX/store" run.output_dir="$WORK/model" "${TRAIN[@]}" train.steps=2 \
    train.val_every=1 train.checkpoint_every=1 > "$WORK/model.txt" 2>&1 || { tail -5 "$WORK/model.txt"; fail "training the tiny model"; }
}

# inotify watcher: kills the process whose pid a temporary NIfTI name carries
# (.tmp.<pid>.<n>.nii.gz, io/AtomicFile temp_path_with_extension) when the Nth such file created
# in the watched folders is first written to (so it holds part of its bytes). Exit 0: killed
# while that temporary existed (checked once the process is dead); 3: it was already renamed;
# 4: no Nth temporary before the watched process ended.
cat > "$WORK/kill_on_create.py" <<'PY'
import ctypes, os, re, select, signal, struct, sys, time
nth, target, ready, dirs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_CREATE = 0x2, 0x8, 0x40, 0x100
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
assert fd >= 0, 'inotify_init1 failed'
watch = {}
for d in dirs:
    w = libc.inotify_add_watch(fd, d.encode(), IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM)
    assert w >= 0, f'cannot watch {d}'
    watch[w] = d
open(ready, 'w').close()
pat = re.compile(r'^\.tmp\.(\d+)\.\d+\.nii(\.gz)?$')
seen, victim, deadline = 0, None, time.time() + 180
def alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except OSError:
        return False
def kill(path, pid, why):
    os.kill(pid, signal.SIGKILL)
    while alive(pid):
        time.sleep(0.001)
    there = os.path.exists(path)
    size = os.path.getsize(path) if there else -1
    print(f'killed pid {pid} at temporary #{seen} {path} ({why}); still there after the kill: {there}, {size} bytes')
    sys.exit(0 if there else 3)
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if not r:
        if not alive(target):
            break
        continue
    buf = os.read(fd, 1 << 16)
    i = 0
    while i < len(buf):
        w, mask, cookie, n = struct.unpack_from('iIII', buf, i)
        name = buf[i + 16:i + 16 + n].rstrip(b'\0').decode()
        i += 16 + n
        m = pat.match(name)
        if not m:
            continue
        path = os.path.join(watch[w], name)
        if mask & IN_CREATE:
            seen += 1
            if seen == nth:
                victim = path
            continue
        if path != victim:
            continue
        if mask & IN_MODIFY:
            kill(path, int(m.group(1)), 'at its first write')
        # closed or renamed before a write event was read: kill now, the check tells what was caught
        kill(path, int(m.group(1)), 'closed or renamed already')
print(f'only {seen} temporaries seen')
sys.exit(4)
PY

# --- 1. kill -9 in the middle of a shard write -----------------------------------------------------
part_1() {
  local W=$WORK/p1 S
  mkdir -p "$W"
  S=$W/store
  local SLOW=(preprocess.curvature_flow=true preprocess.curvature_flow_iterations=300 preprocess.shard_subjects=2)
  local killed=no victim="" tmp="" attempt
  # The kill can land just after the shard it aimed at was renamed (a busy machine polls late):
  # then that attempt interrupted nothing, and a fresh store is tried again.
  for attempt in 1 2 3; do
    rm -rf "$S"
    "${MPIRUN[@]}" -np 2 "$BIN/p2l-preprocess" "${PRE[@]}" "${SLOW[@]}" data.store_dir="$S" > "$W/killed.txt" 2>&1 &
    local mpipid=$!
    killed=no victim="" tmp=""
    for _ in $(seq 1 1200); do
      # a shard committed earlier, and the next one open under its temporary name
      if compgen -G "$S/shard-*.h5" > /dev/null; then
        tmp=$(compgen -G "$S/shard-*.h5.tmp.*" | head -1 || true)
        tmp=${tmp##*/}
        if [ -n "$tmp" ]; then
          victim=${tmp##*.tmp.}
          kill -9 "$victim" 2>/dev/null && killed=yes
          break
        fi
      fi
      kill -0 $mpipid 2>/dev/null || break
      sleep 0.02
    done
    wait $mpipid || true
    [ "$killed" = yes ] || { tail -3 "$W/killed.txt"; fail "part 1: no shard write was caught in flight (the run ended or never opened a second shard)"; }
    [ -e "$S/$tmp" ] && break
    echo "part 1: attempt $attempt: pid $victim was killed just after $tmp was committed; trying again"
    tmp=""
  done
  [ -n "$tmp" ] || fail "part 1: three kills in a row landed after the shard was committed: nothing was interrupted"
  echo "part 1: killed rank pid $victim while it held $tmp open; committed: $(ls "$S" | grep -c '^shard-.*\.h5$') shard(s)"

  "${MPIRUN[@]}" -np 2 "$BIN/p2l-preprocess" "${PRE[@]}" "${SLOW[@]}" data.store_dir="$S" > "$W/rerun.txt" 2>&1 \
    || { tail -8 "$W/rerun.txt"; fail "part 1: the rerun after kill -9 failed"; }
  grep "subjects:" "$W/rerun.txt" || true
  read -r redone reused < <(pre_counts "$W/rerun.txt")
  [ "$reused" -ge 1 ] || fail "part 1: the rerun reused no committed shard"
  [ "$redone" -ge 1 ] || fail "part 1: the rerun preprocessed nothing: the kill lost no subject"
  [ -z "$(temps_in "$S")" ] || fail "part 1: temporaries left after the rerun: $(temps_in "$S")"
  "$BIN/p2l-preprocess" "${PRE[@]}" "${SLOW[@]}" data.store_dir="$W/clean" > "$W/clean.txt" 2>&1 \
    || { tail -5 "$W/clean.txt"; fail "part 1: clean run"; }
  same_store "$W/clean" "$S" || fail "part 1: the store finished after kill -9 differs from a clean run's"
  manifest_matches_shards "$S" || fail "part 1: manifest and shards disagree after the rerun"
  pass "part 1: kill -9 during a shard write; the rerun finished the store ($redone redone, $reused reused)"
}

# --- 2. kill -9 in the middle of a heatmap volume ----------------------------------------------
part_2() {
  local W=$WORK/p2 R=$WORK/p2/run ckpt=$WORK/model/checkpoints/best.pt
  mkdir -p "$W"
  tiny_model
  "$BIN/p2l-evaluate" "${EVAL[@]}" data.store_dir="$FX/store" run.output_dir="$W/clean" eval.checkpoint="$ckpt" \
    > "$W/clean.out" 2> "$W/clean.err" || { tail -5 "$W/clean.err"; fail "part 2: clean evaluation"; }
  local splits
  splits=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]+'/manifest.json')); print(' '.join(s for s in m['split_order'] if s != 'IXI_train_fold0'))" "$FX/store")
  local attempt rc=4 dirs=()
  for attempt in 1 2 3; do
    rm -rf "$R" "$W/ready"
    dirs=()
    for sp in $splits; do mkdir -p "$R/heatmaps/$sp/raw"; dirs+=("$R/heatmaps/$sp/raw"); done
    "$BIN/p2l-evaluate" "${EVAL[@]}" data.store_dir="$FX/store" run.output_dir="$R" eval.checkpoint="$ckpt" \
      > "$W/killed.out" 2> "$W/killed.err" &
    local evpid=$!
    # The 4th raw temporary: the 2nd volume's variance map (its error map is committed, no stamp yet).
    python3 "$WORK/kill_on_create.py" 4 $evpid "$W/ready" "${dirs[@]}" > "$W/watch.txt" 2>&1 &
    local wpid=$!
    # (the watcher is started after the evaluation, but the evaluation needs seconds to load the
    # network and the store before its first heatmap, and the watcher is ready within ms)
    for _ in $(seq 1 500); do [ -e "$W/ready" ] && break; sleep 0.01; done
    set +e
    wait $wpid
    rc=$?
    wait $evpid
    set -e
    cat "$W/watch.txt"
    [ $rc = 0 ] && break
    [ $rc = 3 ] || break
    echo "part 2: attempt $attempt: the write finished before the kill landed; again"
  done
  [ $rc = 0 ] || fail "part 2: no heatmap write was caught in flight (watcher: $(tail -1 "$W/watch.txt"))"
  echo "part 2: temporaries left by the kill: $(temps_in "$R/heatmaps" | tr '\n' ' ')"

  local problems=()
  set +e
  "$BIN/p2l-evaluate" "${EVAL[@]}" data.store_dir="$FX/store" run.output_dir="$R" eval.checkpoint="$ckpt" \
    > "$W/rerun.out" 2> "$W/rerun.err"
  rc=$?
  set -e
  [ $rc -eq 0 ] || { tail -5 "$W/rerun.err"; fail "part 2: the rerun after kill -9 exited $rc"; }
  local last computed cached
  last=$(grep -E 'heatmaps [0-9]+/[0-9]+ volumes \([0-9]+ computed, [0-9]+ cached\)' "$W/rerun.err" | tail -1 || true)
  echo "part 2: rerun: $last"
  [ -n "$last" ] || fail "part 2: the rerun printed no 'N computed, M cached' progress line"
  computed=$(echo "$last" | sed -E 's/.*\(([0-9]+) computed.*/\1/')
  cached=$(echo "$last" | sed -E 's/.*computed, ([0-9]+) cached.*/\1/')
  [ "$cached" -ge 1 ] || problems+=("the rerun reused no cached volume: $last")
  [ "$computed" -ge 1 ] || problems+=("the rerun recomputed nothing, so it took the interrupted volume from the cache: $last")
  if grep -E 'FAILED|error:|cannot|corrupt|truncated' "$W/rerun.err" > "$W/rerun.errors"; then
    problems+=("the rerun reported errors: $(head -3 "$W/rerun.errors" | tr '\n' ' ')")
  fi
  [ -z "$(temps_in "$R")" ] || problems+=("temporaries left after the rerun (the killed run's partial file is never cleaned up): $(temps_in "$R" | tr '\n' ' ')")
  cmp "$R/report/table.md" "$W/clean/report/table.md" || problems+=("table.md after kill -9 and rerun differs from a clean evaluation's")
  cmp -s "$W/rerun.out" "$W/clean.out" || problems+=("the printed table differs from a clean evaluation's")
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  - %s\n' "${problems[@]}" >&2
    fail "part 2: kill -9 during a heatmap write (${#problems[@]} problem(s) above)"
  fi
  pass "part 2: kill -9 during a heatmap write; the rerun reused $cached volume(s), recomputed $computed, same table.md"
}

# --- 3a. full disk during a checkpoint -------------------------------------------------------------
part_3a() {
  local W=$WORK/p3a M=$WORK/p3a/mnt
  mkdir -p "$W"
  "$BIN/p2l-train" data.store_dir="$FX/store" run.output_dir="$W/size" "${TRAIN[@]}" train.steps=1 train.val_every=1000 \
    > "$W/size.txt" 2>&1 || { tail -5 "$W/size.txt"; fail "part 3a: 1-step run to measure a checkpoint"; }
  local size mb
  size=$(stat -c %s "$W/size/checkpoints/last.pt")
  mb=$(( (size * 3 / 2) / 1048576 + 1 ))   # one checkpoint and a half
  echo "part 3a: a checkpoint is $size bytes; tmpfs of ${mb} MiB"
  mount_tmpfs "$M" "${mb}m" || return 0
  # validation only at the very end (no best.pt before), last.pt every step: step 1's fits, step 2's cannot.
  local COMMON=(data.store_dir="$FX/store" "${TRAIN[@]}" train.steps=3 train.val_every=1000 train.checkpoint_every=1)
  set +e
  "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$M/run" > "$W/full.txt" 2>&1
  rc=$?
  set -e
  grep -v '^frame #' "$W/full.txt" | tail -4 || true
  ls -l "$M/run/checkpoints"
  local ck=$M/run/checkpoints/last.pt
  [ -s "$ck" ] || fail "part 3a: the first checkpoint was not written (tmpfs too small?)"
  [ $rc -ne 0 ] || fail "part 3a: training exited 0 although a checkpoint could not be written"
  local problems=()
  [ $rc -eq 1 ] || problems+=("exit code $rc, want 1 (an error, not a crash: 134 is SIGABRT from std::terminate)")
  grep -qF "$ck" "$W/full.txt" || problems+=("no error message names $ck")
  grep -qi 'no space left on device' "$W/full.txt" || problems+=("no message says 'No space left on device'")
  [ -z "$(temps_in "$M")" ] || problems+=("a partial temporary is left on the full disk: $(temps_in "$M" | xargs -r ls -l | tr '\n' ' ')")
  # The previous last.pt still loads: a rerun with space resumes from it.
  mkdir -p "$W/resume"
  (cd "$M/run" && tar cf - --exclude='*.tmp.*' .) | (cd "$W/resume" && tar xf -)
  umount "$M"
  "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$W/resume" > "$W/resume.txt" 2>&1 \
    || { tail -3 "$W/resume.txt"; problems+=("a rerun with space from the surviving last.pt failed"); }
  grep -q "resumed from $W/resume/checkpoints/last.pt at step 1" "$W/resume/train.log" \
    || problems+=("the rerun with space did not resume from the surviving last.pt at step 1: $(grep -m1 resumed "$W/resume/train.log" || true)")
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  - %s\n' "${problems[@]}" >&2
    fail "part 3a: full disk during a checkpoint (${#problems[@]} problem(s) above)"
  fi
  pass "part 3a: a full disk during a checkpoint is a clear error, the previous last.pt survives and resumes"
}

# --- 3b. full disk during a shard write ------------------------------------------------------------
# Two sizes: room for exactly 3 shards (the 4th shard's first bytes cannot be written: its
# ShardWriter constructor fails) and 16 KiB more (the disk fills in the middle of the 4th shard).
part_3b() {
  local W=$WORK/p3b
  mkdir -p "$W"
  local ONE=(preprocess.shard_subjects=1)
  "$BIN/p2l-preprocess" "${PRE[@]}" "${ONE[@]}" data.store_dir="$W/clean" > "$W/clean.txt" 2>&1 \
    || { tail -5 "$W/clean.txt"; fail "part 3b: clean run"; }
  local exact
  exact=$(python3 - "$W/clean" <<'PY'
import os, sys
d = sys.argv[1]
sizes = [os.path.getsize(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.startswith('shard-')]
print(4 * sum((s + 4095) // 4096 for s in sizes[:3]))   # KiB in 4 KiB pages
PY
)
  local problems=() case kb
  for case in first-write mid-shard; do
    kb=$exact
    [ $case = mid-shard ] && kb=$((exact + 16))
    local M=$W/mnt-$case S=$W/mnt-$case/store
    echo "part 3b ($case): tmpfs of ${kb} KiB (the first 3 shards take $exact KiB)"
    mount_tmpfs "$M" "${kb}k" || return 0
    set +e
    "$BIN/p2l-preprocess" "${PRE[@]}" "${ONE[@]}" data.store_dir="$S" > "$W/full-$case.txt" 2>&1
    local rc=$?
    set -e
    grep -E 'fatal|FAILED|error|warning' "$W/full-$case.txt" | head -4 | sed 's/^/    /' || true
    local committed
    committed=$(ls "$S" | grep -c '^shard-.*\.h5$' || true)
    echo "    exit code $rc; committed shards: $committed; files: $(ls "$S" | tr '\n' ' ')"
    [ $rc -ne 0 ] || fail "part 3b ($case): p2l-preprocess exited 0 on a full disk"
    [ "$committed" -ge 1 ] || fail "part 3b ($case): no shard was committed before the disk filled (tmpfs too small?)"
    grep -qE "$S/shard-[^ :]*\.h5" "$W/full-$case.txt" || problems+=("$case: no error message names the shard being written")
    grep -qi 'no space left on device' "$W/full-$case.txt" || problems+=("$case: no message says 'No space left on device'")
    local f
    for f in "$S"/shard-*.h5; do  # 1 rank, 1 subject a shard: the clean store's shard of that name is the same
      cmp -s <(h5dump "$f" 2>&1 | tail -n +2) <(h5dump "$W/clean/${f##*/}" 2>&1 | tail -n +2) \
        || problems+=("$case: committed shard ${f##*/} differs from the clean store's")
    done
    [ -z "$(temps_in "$S")" ] || problems+=("$case: temporaries left on the full disk: $(temps_in "$S" | xargs -r -n1 basename | tr '\n' ' ')")
    mount -o remount,size=64m "$M"
    "$BIN/p2l-preprocess" "${PRE[@]}" "${ONE[@]}" data.store_dir="$S" > "$W/rerun-$case.txt" 2>&1 \
      || { tail -5 "$W/rerun-$case.txt"; fail "part 3b ($case): the rerun with space failed"; }
    echo "    rerun with space: $(grep 'subjects:' "$W/rerun-$case.txt" || true)"
    read -r redone reused < <(pre_counts "$W/rerun-$case.txt")
    [ "$reused" -ge "$committed" ] || problems+=("$case: the rerun reused $reused subject(s), fewer than the $committed committed shard(s)")
    same_store "$W/clean" "$S" > "$W/same-$case.txt" 2>&1 || problems+=("$case: the store finished after the full disk differs from a clean run's: $(tail -1 "$W/same-$case.txt")")
    manifest_matches_shards "$S" > "$W/match-$case.txt" 2>&1 || problems+=("$case: manifest and shards disagree after the rerun: $(tail -1 "$W/match-$case.txt")")
    [ -z "$(temps_in "$S")" ] || problems+=("$case: temporaries left after the rerun")
    umount "$M"
  done
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  - %s\n' "${problems[@]}" >&2
    fail "part 3b: full disk during a shard write (${#problems[@]} problem(s) above)"
  fi
  pass "part 3b: a full disk during a shard write is a clear error; committed shards intact and reused by the rerun"
}

# Checks that $1 (an output file) reports a corrupt shard $2 holding subject $3; prints problems.
corrupt_message_problems() {
  local out=$1 shard=$2 id=$3 tool=$4
  grep -qF "$shard" "$out" || echo "$tool: no message names the shard $shard"
  grep -F "$shard" "$out" | grep -qF "$id" || echo "$tool: the message naming the shard does not name the subject $id"
  grep -qi 'corrupt' "$out" || echo "$tool: the message does not say the shard is corrupt"
  grep -qiE 'p2l-preprocess|reprocess' "$out" || echo "$tool: the message does not say to rerun p2l-preprocess"
}

# --- 4a. corrupted bytes in a committed (gzip) shard --------------------------------------------
part_4a() {
  local W=$WORK/p4a S=$WORK/p4a/store
  mkdir -p "$W"
  tiny_model
  local ONE=(preprocess.shard_subjects=1)
  "$BIN/p2l-preprocess" "${PRE[@]}" "${ONE[@]}" data.store_dir="$S" > "$W/pre.txt" 2>&1 || { tail -5 "$W/pre.txt"; fail "part 4a: preprocess"; }
  cp -a "$S" "$W/pristine"
  local tshard tid eshard eid
  tshard=$S/$(shard_of "$S" IXI_train_fold0 0); tid=$(subject_of "$S" IXI_train_fold0 0)
  eshard=$S/$(shard_of "$S" tumor_test 0); eid=$(subject_of "$S" tumor_test 0)
  corrupt_middle "$tshard"
  corrupt_middle "$eshard"
  echo "part 4a: corrupted 1 KiB in the middle of $tshard ($tid) and $eshard ($eid)"
  local problems=() line
  set +e
  "$BIN/p2l-train" data.store_dir="$S" run.output_dir="$W/train" "${TRAIN[@]}" train.steps=1 > "$W/train.txt" 2>&1
  rc=$?
  set -e
  echo "  p2l-train: exit $rc: $(grep -m1 -F "$tshard" "$W/train.txt" || tail -1 "$W/train.txt")"
  [ $rc -ne 0 ] || problems+=("p2l-train trained on a corrupt shard (exit 0)")
  while read -r line; do [ -n "$line" ] && problems+=("$line"); done < <(corrupt_message_problems "$W/train.txt" "$tshard" "$tid" p2l-train)
  set +e
  "$BIN/p2l-evaluate" "${EVAL[@]}" data.store_dir="$S" run.output_dir="$W/eval" eval.checkpoint="$WORK/model/checkpoints/best.pt" \
    > "$W/eval.out" 2> "$W/eval.err"
  rc=$?
  set -e
  echo "  p2l-evaluate: exit $rc: $(grep -m1 -F "$eshard" "$W/eval.err" || tail -1 "$W/eval.err")"
  [ $rc -ne 0 ] || problems+=("p2l-evaluate exited 0 with a corrupt shard")
  while read -r line; do [ -n "$line" ] && problems+=("$line"); done < <(corrupt_message_problems "$W/eval.err" "$eshard" "$eid" p2l-evaluate)
  # A rerun of p2l-preprocess must notice the damage and redo those subjects.
  set +e
  "$BIN/p2l-preprocess" "${PRE[@]}" "${ONE[@]}" data.store_dir="$S" > "$W/rerun.txt" 2>&1
  rc=$?
  set -e
  echo "  p2l-preprocess rerun: exit $rc: $(grep 'subjects:' "$W/rerun.txt")"
  grep -i 'warning' "$W/rerun.txt" | sed 's/^/    /' || true
  read -r redone reused < <(pre_counts "$W/rerun.txt")
  [ $rc -eq 0 ] || problems+=("the p2l-preprocess rerun exited $rc")
  [ "$redone" -ge 2 ] || problems+=("the p2l-preprocess rerun redid $redone subject(s): it reused the corrupt ones (resume checks attributes only)")
  grep -qF "$(basename "$tshard")" "$W/rerun.txt" || problems+=("the p2l-preprocess rerun does not name the corrupt shard $(basename "$tshard")")
  same_store "$W/pristine" "$S" > "$W/same.txt" 2>&1 || problems+=("after the rerun the store still differs from the undamaged one: $(tail -1 "$W/same.txt")")
  "$BIN/p2l-train" data.store_dir="$S" run.output_dir="$W/train2" "${TRAIN[@]}" train.steps=1 > "$W/train2.txt" 2>&1 \
    || problems+=("p2l-train on the store repaired by the rerun: $(grep error "$W/train2.txt" | tail -1)")
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  - %s\n' "${problems[@]}" >&2
    fail "part 4a: corrupted shard bytes (${#problems[@]} problem(s) above)"
  fi
  pass "part 4a: corrupt gzip shards are reported by training and evaluation and repaired by p2l-preprocess"
}

# --- 4b. corrupted bytes in an uncompressed shard -----------------------------------------------
part_4b() {
  local W=$WORK/p4b S=$WORK/p4b/store
  mkdir -p "$W"
  local RAW=(preprocess.shard_subjects=1 preprocess.compression_level=0)
  "$BIN/p2l-preprocess" "${PRE[@]}" "${RAW[@]}" data.store_dir="$S" > "$W/pre.txt" 2>&1 || { tail -5 "$W/pre.txt"; fail "part 4b: preprocess"; }
  cp -a "$S" "$W/pristine"
  local tshard tid
  tshard=$S/$(shard_of "$S" IXI_train_fold0 0); tid=$(subject_of "$S" IXI_train_fold0 0)
  corrupt_middle "$tshard"
  echo "part 4b: corrupted 1 KiB in the middle of uncompressed $tshard ($tid)"
  local problems=() line rc
  set +e
  "$BIN/p2l-train" data.store_dir="$S" run.output_dir="$W/train" "${TRAIN[@]}" train.steps=1 > "$W/train.txt" 2>&1
  rc=$?
  set -e
  echo "  p2l-train: exit $rc: $(tail -1 "$W/train.txt")"
  [ $rc -ne 0 ] || problems+=("p2l-train trained on the corrupt uncompressed shard without noticing (exit 0): the store has no checksum of the arrays")
  while read -r line; do [ -n "$line" ] && problems+=("$line"); done < <(corrupt_message_problems "$W/train.txt" "$tshard" "$tid" p2l-train)
  set +e
  "$BIN/p2l-preprocess" "${PRE[@]}" "${RAW[@]}" data.store_dir="$S" > "$W/rerun.txt" 2>&1
  rc=$?
  set -e
  echo "  p2l-preprocess rerun: exit $rc: $(grep 'subjects:' "$W/rerun.txt")"
  read -r redone reused < <(pre_counts "$W/rerun.txt")
  [ "$redone" -ge 1 ] || problems+=("the p2l-preprocess rerun reused the corrupt subject")
  same_store "$W/pristine" "$S" > "$W/same.txt" 2>&1 || problems+=("after the rerun the store still differs from the undamaged one: $(tail -1 "$W/same.txt")")
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  - %s\n' "${problems[@]}" >&2
    fail "part 4b: corrupted bytes in an uncompressed shard (${#problems[@]} problem(s) above)"
  fi
  pass "part 4b: a corrupt uncompressed shard is detected and repaired"
}

# --- selection and driver ---------------------------------------------------------------------------
declare -a PARTS=()
for t in $(echo "${P2L_FAULTS:-1,2,3a,3b,4a,4b}" | tr ', ' '  '); do
  case "$t" in
    1|2|3a|3b|4a|4b) PARTS+=("$t") ;;
    3) PARTS+=(3a 3b) ;;
    4) PARTS+=(4a 4b) ;;
    all) PARTS+=(1 2 3a 3b 4a 4b) ;;
    *) fail "P2L_FAULTS: unknown part '$t' (1 2 3 3a 3b 4 4a 4b)" ;;
  esac
done

mkdir -p "$FX"
make_tiny_store "$BIN" "$FX"
failed=()
skipped=()
set +e
for p in "${PARTS[@]}"; do
  echo "== part $p"
  start=$SECONDS
  CURRENT_PART=$p
  ( set -e; "part_$p" )
  rc=$?
  if [ -e "$WORK/skipped.$p" ]; then skipped+=("$p"); fi
  echo "   (part $p: $((SECONDS - start)) s)"
  [ $rc -eq 0 ] || failed+=("$p")
done
set -e
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAIL: part(s) ${failed[*]} of ${PARTS[*]}${skipped[*]:+ (skipped: ${skipped[*]})}" >&2
  exit 1
fi
echo "PASS${skipped[*]:+ (skipped, no tmpfs: ${skipped[*]})}"
