#!/usr/bin/env bash
# The local Slurm cluster of scripts/slurm-local-cluster.sh really schedules work: srun spreads
# tasks with the right rank variables, sbatch runs a batch job to completion with its output,
# `start` is idempotent, and `stop` ends every daemon it started.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
start_cluster

[ "$(sinfo -h -o %T)" = idle ] || fail "node not idle after start: $(sinfo)"
bash "$CLUSTER" status "$WORK/cluster" >/dev/null || fail "status says the cluster is down"
pass "cluster up, node idle"

# Starting again keeps the running daemons (same pids, same ports).
pids_before=$(cat "$WORK"/cluster/run/*.pid "$WORK"/cluster/munge/munged.pid)
bash "$CLUSTER" start "$WORK/cluster" >/dev/null 2>&1 || fail "second start failed"
[ "$pids_before" = "$(cat "$WORK"/cluster/run/*.pid "$WORK"/cluster/munge/munged.pid)" ] \
  || fail "second start replaced the daemons"
pass "start is idempotent"

out=$(timeout 60 srun -n 2 bash -c 'echo "task $SLURM_PROCID of $SLURM_NTASKS"' | sort) \
  || fail "srun -n 2 failed"
[ "$out" = $'task 0 of 2\ntask 1 of 2' ] || fail "srun -n 2 printed: $out"
pass "srun -n 2 runs ranks 0 and 1 of 2"

cat >"$WORK/job.sh" <<'JOB'
#!/bin/bash
#SBATCH --ntasks=2
srun bash -c 'echo "step task $SLURM_PROCID"' | sort
echo "batch job $SLURM_JOB_ID done"
JOB
id=$(sbatch --parsable --output="$WORK/job.out" --chdir="$WORK" "$WORK/job.sh") || fail "sbatch failed"
state=$(wait_job "$id" 60) || fail "batch job $id did not end: $state"
[ "$state" = COMPLETED ] || fail "batch job $id ended $state"
expected=$'step task 0\nstep task 1\nbatch job '"$id"' done'
[ "$(cat "$WORK/job.out")" = "$expected" ] || fail "batch output: $(cat "$WORK/job.out")"
pass "sbatch job $id completed with the expected output"

# A failing job is reported as failed with its exit code.
id=$(sbatch --parsable --output=/dev/null --wrap 'exit 3') || fail "sbatch --wrap failed"
state=$(wait_job "$id" 60) || fail "job $id did not end: $state"
[ "$state" = FAILED ] || fail "a job exiting 3 ended $state"
scontrol show job "$id" | grep -q 'ExitCode=3:0' || fail "exit code 3 not recorded"
pass "failing job reported FAILED with ExitCode=3"

pids=$(cat "$WORK"/cluster/run/*.pid "$WORK"/cluster/munge/munged.pid)
bash "$CLUSTER" stop "$WORK/cluster" || fail "stop failed"
for pid in $pids; do
  kill -0 "$pid" 2>/dev/null && fail "process $pid still alive after stop"
done
bash "$CLUSTER" status "$WORK/cluster" >/dev/null && fail "status says up after stop"
pass "stop ended slurmctld, slurmd and munged"
