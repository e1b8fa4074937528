# shellcheck shell=bash
# Sourced by the two-node Slurm tests (CTest runs them as `bash script BUILD_DIR SOURCE_DIR`):
# slurm_fixture.sh's helpers (fail, pass, wait_job, make_stand_ins), with the cluster on two
# test hosts (tests/support/test_hosts.sh) instead of this machine: h1 runs slurmctld, munged and
# a slurmd, h2 a slurmd, each its own node (scripts/slurm-local-cluster.sh --hosts h1,h2).
#
#   start_two_nodes   brings up the hosts and the cluster, exports SLURM_CONF; exits 77 with a
#                     line starting "SKIP:" where namespaces are not allowed
#   on_ctld CMD...    runs CMD on h1: the machine's own namespace cannot reach the nodes, so
#                     every client (srun, sbatch, scontrol, squeue, scancel) runs there
#
# WORK is under /var/tmp, which both hosts see (each has its own /tmp). On exit, pass or fail:
# the cluster's jobs and daemons are stopped, then whatever is left on the hosts is killed and
# the hosts removed; WORK is removed after a pass or a skip (P2L_KEEP_TEST_DIR=1 keeps it).
TMPDIR=/var/tmp source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
source "$SOURCE_DIR/tests/support/test_hosts.sh"

fixture_cleanup() {
  local rc=$?
  bash "$CLUSTER" stop "$WORK/cluster" >/dev/null 2>&1 || true
  hosts_down
  if { [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; } && [ -z "${P2L_KEEP_TEST_DIR:-}" ]; then
    rm -rf "$WORK"
  else
    echo "test folder kept: $WORK"
  fi
  exit "$rc"
}

fail() {
  echo "FAIL: $*"
  for f in "$WORK"/cluster/log/slurmctld.log "$WORK"/cluster/log/slurmd-h1.log "$WORK"/cluster/log/slurmd-h2.log; do
    [ -f "$f" ] && { echo "----- tail $f"; tail -n 15 "$f"; }
  done
  exit 1
}

on_ctld() { on_host 1 "$@"; }

# slurm_fixture.sh's job_state, asked on h1 (wait_job calls it).
job_state() { on_ctld scontrol show job -o "$1" 2>/dev/null | grep -oP 'JobState=\K\S+' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

start_two_nodes() {
  local rc=0
  hosts_up 2 "$WORK/hosts" "$BUILD_DIR" || rc=$?
  [ "$rc" = 77 ] && exit 77
  [ "$rc" = 0 ] || fail "the test hosts did not come up"
  bash "$CLUSTER" start "$WORK/cluster" --hosts h1,h2 || fail "the two-node cluster did not start"
  export SLURM_CONF=$WORK/cluster/slurm.conf
  cd "$WORK" || fail "cannot enter $WORK"
}
