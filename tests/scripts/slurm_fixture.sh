# shellcheck shell=bash
# Sourced by tests/scripts/test_slurm_*.sh (CTest runs them as `bash script BUILD_DIR SOURCE_DIR`):
# a private one-node Slurm cluster in a temporary folder, stopped and removed when the test exits
# (pass or fail), plus waiting on jobs and stand-in executables for the slurm/ job scripts.
set -uo pipefail
# shellcheck disable=SC2034  # read by the tests that source this file
BUILD_DIR=$(cd "${1:?usage: test BUILD_DIR SOURCE_DIR}" && pwd)
SOURCE_DIR=$(cd "${2:?usage: test BUILD_DIR SOURCE_DIR}" && pwd)
CLUSTER=$SOURCE_DIR/scripts/slurm-local-cluster.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2l-slurm-test.XXXXXX")
chmod 755 "$WORK"

fixture_cleanup() {
  local rc=$?
  bash "$CLUSTER" stop "$WORK/cluster" >/dev/null 2>&1 || true
  if [ "$rc" -eq 0 ] && [ -z "${P2L_KEEP_TEST_DIR:-}" ]; then rm -rf "$WORK"; else echo "test folder kept: $WORK"; fi
  exit "$rc"
}
trap fixture_cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAIL: $*"
  for f in "$WORK"/cluster/log/slurmctld.log "$WORK"/cluster/log/slurmd.log; do
    [ -f "$f" ] && { echo "----- tail $f"; tail -n 15 "$f"; }
  done
  exit 1
}
pass() { echo "ok: $*"; }

# Starts the cluster and exports SLURM_CONF for the client commands.
start_cluster() {
  bash "$CLUSTER" start "$WORK/cluster" || fail "the local cluster did not start"
  export SLURM_CONF=$WORK/cluster/slurm.conf
}

# Prints the state of job $1 ("JobState=X" of scontrol, without the prefix).
job_state() { scontrol show job -o "$1" 2>/dev/null | grep -oP 'JobState=\K\S+' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# Waits until job $1 (every task, for an array) has ended or $2 seconds have passed; prints the
# final state(s). Requeued jobs pass through PENDING again and are waited for.
wait_job() {
  local id=$1 state="" deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    state=$(job_state "$id")
    if [ -n "$state" ] && ! grep -qE 'PENDING|RUNNING|REQUEUE|CONFIGURING|COMPLETING|SUSPENDED|RESIZING|SIGNALING|STAGE_OUT' <<<"$state"; then
      echo "$state"
      return 0
    fi
    sleep 1
  done
  echo "TIMEOUT(last: ${state:-unknown})"
  return 1
}

# The store at $1 was written by a 2-rank p2l-preprocess: a manifest, a shard of each rank, and
# the program's own log saying it ran with 2 ranks.
check_two_rank_store() {
  local store=$1 r
  [ -s "$store/manifest.json" ] || fail "no manifest in the store: $(ls "$store")"
  for r in 0 1; do
    ls "$store" | grep -q "^shard-$r-of-2-.*\.h5$" || fail "no shard of rank $r in the store: $(ls "$store")"
  done
  grep -q "with 2 ranks into" "$store/preprocess.log" || fail "p2l-preprocess did not log 2 ranks: $(cat "$store/preprocess.log")"
}

# Writes bash stand-ins for p2l-preprocess, p2l-train and p2l-evaluate into $1; they take the
# real executables' arguments (--config FILE key=value ...), read the keys they need from the
# overrides, and leave files that show who ran where. p2l-train's behaviour comes from
# P2L_STANDIN_TRAIN: "ok", "preempt-once" (exit 85 on the job's first run, only for runs whose
# train.patch_fraction equals P2L_STANDIN_PREEMPT_VALUE when that is set) or "wait-signal"
# (first run waits for USR1, then "checkpoints" and exits 85).
# The sweep tests' tiny cohort: 4 mm voxels and a 48 x 48 x 32 grid keep every job to seconds on
# 2 cores. make_tiny_sweep_cohort makes it with srun on the cluster; tiny_sweep_spec SPEC LINE...
# writes a spec over the default config and the local cluster profile with these sizes and tiny
# models as its overrides, then the given lines (grid, fuse, nightly).
TINY_SWEEP=(data.data_dir="$WORK/cohort" data.store_dir="$WORK/store"
  data.test_sets=[tumor] cohort.lesion_sets=[tumor] cohort.voxel_mm=4.0
  cohort.n_train=3 cohort.n_val=1 cohort.n_test_healthy=1 cohort.n_test_per_set=1 cohort.n_val_per_set=1
  preprocess.image_dim=[48,48,32])
make_tiny_sweep_cohort() {
  timeout 300 srun -n 1 "$BUILD_DIR/bin/p2l-make-cohort" --config "$SOURCE_DIR/configs/default.yaml" "${TINY_SWEEP[@]}" \
    >"$WORK/cohort.log" 2>&1 || { tail -n 20 "$WORK/cohort.log"; fail "p2l-make-cohort failed"; }
}
tiny_sweep_spec() {
  local spec=$1 o line
  shift
  {
    echo "dir: $WORK/sweep"
    echo "config: $SOURCE_DIR/configs/default.yaml"
    echo "cluster: $SOURCE_DIR/configs/cluster/local.yaml"
    echo "overrides:"
    for o in "${TINY_SWEEP[@]}" train.steps=4 train.slices_per_step=2 train.patches_per_step=32 train.val_every=2 \
      train.val_patches=64 train.checkpoint_every=2 train.log_every=1 train.density_every=2 \
      "ae.channels=[4,8]" ae.latent_channels=4 ae.slices_per_step=4 ae.val_slices=4 ae.steps=4 ae.val_every=2 \
      ae.checkpoint_every=2 ae.log_every=1 eval.stride=4 eval.median_size=3 eval.figure_slices=1; do
      echo "  - \"$o\""
    done
    for line in "$@"; do echo "$line"; done
  } >"$spec"
}

make_stand_ins() {
  local bin=$1
  mkdir -p "$bin"
  cat >"$bin/standin-args.sh" <<'ARGS'
# value KEY ARGS...: the last override of KEY among ARGS, else KEY in the --config file (a
# resolved config as the executables dump it: "section:" lines, then "  key: value  # doc").
value() {
  local key=$1 v="" cfg="" prev=""
  shift
  for a in "$@"; do
    [ "${a%%=*}" = "$key" ] && v=${a#*=}
    [ "$prev" = --config ] && cfg=$a
    prev=$a
  done
  if [ -z "$v" ] && [ -f "$cfg" ]; then
    v=$(awk -v sec="${key%%.*}:" -v k="  ${key#*.}:" '$0 == sec {ins = 1; next} /^[^ ]/ {ins = 0}
      ins && index($0, k) == 1 {sub(/^[^:]*: */, ""); sub(/  #.*$/, ""); gsub(/"/, ""); print; exit}' "$cfg")
  fi
  echo "$v"
}
rank=${SLURM_PROCID:-0}
ARGS
  cat >"$bin/p2l-preprocess" <<'EXE'
#!/bin/bash
source "$(dirname "$0")/standin-args.sh"
store=$(value data.store_dir "$@")
mkdir -p "$store"
echo "rank $rank of ${SLURM_NTASKS:-1} args: $*" >"$store/rank$rank.done"
EXE
  cat >"$bin/p2l-train" <<'EXE'
#!/bin/bash
source "$(dirname "$0")/standin-args.sh"
out=$(value run.output_dir "$@")
pf=$(value train.patch_fraction "$@")
restart=${SLURM_RESTART_COUNT:-0}
store=$(value data.store_dir "$@")
# Training must start after preprocessing finished.
[ -z "$store" ] || [ -f "$store/rank0.done" ] || { echo "$store: not preprocessed" >&2; exit 1; }
mkdir -p "$out"
echo "restart $restart rank $rank of ${SLURM_NTASKS:-1} pf $pf args: $*" >>"$out/train-rank$rank.log"
checkpoint() { [ "$rank" = 0 ] && echo "step 10 restart $restart" >"$out/last.ckpt"; }
mode=${P2L_STANDIN_TRAIN:-ok}
if [ "$mode" = preempt-once ] && [ -n "${P2L_STANDIN_PREEMPT_VALUE:-}" ] && [ "$pf" != "$P2L_STANDIN_PREEMPT_VALUE" ]; then
  mode=ok
fi
if [ "$restart" -gt 0 ]; then
  # A requeued run must find the checkpoint of the preempted one.
  [ -f "$out/last.ckpt" ] || { echo "$out/last.ckpt: missing on restart" >&2; exit 1; }
  echo "resumed from $(cat "$out/last.ckpt")" >"$out/resumed-rank$rank"
elif [ "$mode" = preempt-once ]; then
  checkpoint; exit 85
elif [ "$mode" = wait-signal ]; then
  trap 'echo "USR1 at restart $restart" >"$out/signal-rank$rank"; checkpoint; exit 85' USR1
  for _ in $(seq 1 300); do sleep 0.2; done
  echo "no USR1 within 60 s" >&2; exit 1
fi
# A resumed run keeps the checkpoint it read, so the other ranks read the same one.
[ "$restart" -gt 0 ] || checkpoint
[ "$rank" = 0 ] && cp "$out/last.ckpt" "$out/best.ckpt"
exit 0
EXE
  cat >"$bin/p2l-evaluate" <<'EXE'
#!/bin/bash
source "$(dirname "$0")/standin-args.sh"
out=$(value run.output_dir "$@")
[ -f "$out/best.ckpt" ] || { echo "$out/best.ckpt: no checkpoint" >&2; exit 1; }
if [ "$rank" = 0 ]; then
  mkdir -p "$out/report"
  printf '# Report\n\n| set | Dice |\n|---|---|\n| tumor | %s |\n\n![overlay](fig.png)\n' \
    "$(value train.patch_fraction "$@")" >"$out/report/report.md"
fi
EXE
  chmod +x "$bin"/p2l-*
}
