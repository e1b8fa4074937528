#!/usr/bin/env bash
# A real Slurm cluster that lives entirely in one folder: its own munged (own key and socket),
# slurmctld and slurmd on free ports, no systemd and no cgroups. Used by the tests
# (tests/scripts/test_slurm_*.sh) and for trying the slurm/ job scripts on a laptop.
#
#   scripts/slurm-local-cluster.sh start  DIR   # idempotent; waits until the node is idle
#   scripts/slurm-local-cluster.sh status DIR   # exit 0 when both daemons answer
#   scripts/slurm-local-cluster.sh stop   DIR   # cancels jobs, stops daemons and munged
#
# One node by default: this machine, on loopback. With test hosts (tests/support/test_hosts.sh)
# up, one node per host instead:
#
#   scripts/slurm-local-cluster.sh start DIR --hosts h1,h2   # or P2L_SLURM_HOSTS="h1 h2"
#
# Each host H runs its own slurmd (NodeName=H NodeHostname=H NodeAddr=<H's address there>),
# entered through the namespaces of its holder process ($P2L_HOSTS_DIR/H.pid); the first host
# also runs slurmctld and the one munged (its socket in DIR, which every host sees: DIR must not
# be under /tmp or /dev/shm). The hosts are recorded in DIR/hosts.env, so `stop` and `status`
# need no --hosts. Clients must run on a host too (`on_host 1 srun ...`): the machine's own
# namespace has no route to the hosts' addresses.
#
# Clients find the cluster through SLURM_CONF: `source DIR/env.sh` (or export it by hand).
# Tunables (environment, read by `start`):
#   P2L_SLURM_CRED_EXPIRE  credential lifetime in s, also the wait before a requeued job may
#                          start again [10; Slurm's default is 120, too slow for tests]
#   P2L_SLURM_KILL_WAIT    seconds between SIGTERM and SIGKILL at the time limit [30]
#   P2L_SLURM_GRACE_TIME   seconds of SIGTERM notice before a preempted job is killed [60]
#   P2L_SLURM_START_TIMEOUT seconds to wait for the node(s) to become idle [60]
#   P2L_SLURM_HOSTS        test hosts, one node each (as --hosts; --hosts wins)
#   P2L_HOSTS_DIR          the test hosts' folder with their H.pid files (hosts_up exports it)
set -euo pipefail

usage() { echo "usage: $0 {start|stop|status} DIR [--hosts H1,H2,...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
dir_arg=$2
shift 2
hosts_arg=""
[ "$action" = start ] && hosts_arg=${P2L_SLURM_HOSTS:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) [ $# -ge 2 ] || usage; hosts_arg=$2; shift 2 ;;
    --hosts=*) hosts_arg=${1#--hosts=}; shift ;;
    *) usage ;;
  esac
done

mkdir -p "$dir_arg"
dir=$(cd "$dir_arg" && pwd)
conf=$dir/slurm.conf
node=$(hostname -s)

die() { echo "[slurm-local] error: $*" >&2; exit 1; }
log() { echo "[slurm-local] $*" >&2; }

# The id in a pid file when that process is alive, else nothing.
live_pid() {
  local f=$1 pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# True when pid file $1 names a process that is gone. A file being written (empty for a moment:
# the daemon truncates, then writes) is not a dead daemon.
dead_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null
}

tail_log() {
  local f=$1
  if [ -s "$f" ]; then
    echo "----- last lines of $f -----" >&2
    tail -n 25 "$f" >&2
    echo "-----" >&2
  else
    echo "($f is empty or missing)" >&2
  fi
}

# --- Test hosts: the cluster's nodes when it has several (empty: the one-node cluster). ---
hosts=()
hosts_dir=""
ctld_host=""

multi() { [ ${#hosts[@]} -gt 0 ]; }

# The hosts a multi-host start recorded in DIR/hosts.env (none: a one-node cluster).
read_hosts_record() {
  hosts=()
  hosts_dir=""
  if [ -s "$dir/hosts.env" ]; then
    read -r -a hosts <<<"$(sed -n 's/^hosts=//p' "$dir/hosts.env")"
    hosts_dir=$(sed -n 's/^hosts_dir=//p' "$dir/hosts.env")
  fi
  ctld_host=${hosts[0]:-}
}

# The hosts of --hosts / P2L_SLURM_HOSTS ("h1,h2" or "h1 h2"), found in P2L_HOSTS_DIR.
set_hosts() {
  read -r -a hosts <<<"${1//,/ }"
  hosts_dir=${P2L_HOSTS_DIR:-}
  ctld_host=${hosts[0]:-}
}

# Runs CMD... on node $1 (in the namespaces of its test host's holder process), environment
# kept; on the one-node cluster simply runs it.
on_node() {
  local h=$1 pid
  shift
  if ! multi; then "$@"; return; fi
  pid=$(live_pid "$hosts_dir/$h.pid") \
    || { echo "[slurm-local] test host $h is not up (no live holder in $hosts_dir/$h.pid)" >&2; return 125; }
  nsenter -t "$pid" -n -u -m --wd="$dir" -- "$@"
}

# Runs a client command where slurmctld can be reached.
ctl() { on_node "$ctld_host" "$@"; }

# The node names: this machine's, or one per test host.
nodes() { if multi; then echo "${hosts[*]}"; else echo "$node"; fi; }

slurmd_pid_file() { if multi; then echo "$dir/run/slurmd-$1.pid"; else echo "$dir/run/slurmd.pid"; fi; }
slurmd_log() { if multi; then echo "$dir/log/slurmd-$1"; else echo "$dir/log/slurmd"; fi; }

check_hosts() {
  local h
  [ -n "$hosts_dir" ] || die "--hosts needs P2L_HOSTS_DIR, the test hosts' folder (hosts_up exports it)"
  case "$dir" in
    /tmp/*|/dev/shm/*) die "$dir: every test host has its own /tmp and /dev/shm; use a folder they share (/var/tmp)" ;;
  esac
  for h in "${hosts[@]}"; do
    [[ "$h" =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || die "'$h' is not a host name"
    live_pid "$hosts_dir/$h.pid" >/dev/null || die "test host $h is not up (no live holder in $hosts_dir/$h.pid)"
  done
  [ "$(printf '%s\n' "${hosts[@]}" | sort -u | wc -l)" -eq ${#hosts[@]} ] || die "a host is named twice in: ${hosts[*]}"
}

# The IPv4 address host $1's name resolves to on that host.
host_addr() {
  local a
  a=$(on_node "$1" getent ahostsv4 "$1" | awk 'NR == 1 {print $1}')
  [ -n "$a" ] || die "host $1 does not resolve its own name"
  echo "$a"
}

# Listening TCP ports (of this machine, or of every test host).
used_ports() {
  local h
  if multi; then
    for h in "${hosts[@]}"; do on_node "$h" ss -Htan 2>/dev/null; done
  else
    ss -Htan 2>/dev/null
  fi | awk '{n=split($4,a,":"); print a[n]}' | sort -u
}

# A TCP port in [lo, hi) that nothing listens on and that differs from the ones in "$@".
free_port() {
  local used port
  used=$(used_ports)
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    grep -qx "$port" <<<"$used" && continue
    [[ " $* " == *" $port "* ]] && continue
    echo "$port"
    return 0
  done
  die "no free TCP port found in 20000-50000"
}

start_munge() {
  mkdir -p "$dir/munge"
  chmod 700 "$dir/munge"
  if [ ! -s "$dir/munge/munge.key" ]; then
    # 1024 random bytes, the size mungekey makes; munged insists on mode 0600.
    (umask 077; dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none)
  fi
  if live_pid "$dir/munge/munged.pid" >/dev/null; then
    return 0
  fi
  rm -f "$dir/munge/munge.socket.2" "$dir/munge/munge.socket.2.lock"
  # --force: munged refuses some otherwise-fine setups as root (e.g. a group-writable /tmp path).
  # With test hosts it runs on the controller's host; its socket, a file in DIR, serves every
  # host (a unix socket with a path is reached through the file system, not the network).
  if ! ctl munged --force --socket="$dir/munge/munge.socket.2" --key-file="$dir/munge/munge.key" \
      --log-file="$dir/munge/munged.log" --pid-file="$dir/munge/munged.pid" \
      --seed-file="$dir/munge/munged.seed" 2>>"$dir/munge/munged.log"; then
    tail_log "$dir/munge/munged.log"
    die "munged did not start"
  fi
  for _ in $(seq 1 50); do
    [ -S "$dir/munge/munge.socket.2" ] && return 0
    sleep 0.1
  done
  tail_log "$dir/munge/munged.log"
  die "munged socket $dir/munge/munge.socket.2 did not appear"
}

write_conf() {
  local hw ctld_port slurmd_port h ctld_line pid_file log_file node_lines part_nodes tmpfs tmpfs_note
  # The real node description ("CPUs=2 Boards=1 ... RealMemory=24105"), minus name and uptime.
  hw=$(slurmd -C | head -1 | tr ' ' '\n' | grep -vE '^(NodeName|UpTime)=' | tr '\n' ' ')
  [ -n "$hw" ] || die "slurmd -C printed no node description"
  ctld_port=$(free_port)
  slurmd_port=$(free_port "$ctld_port")
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/tmp"
  if multi; then
    ctld_line="SlurmctldHost=$ctld_host($(host_addr "$ctld_host"))"
    # Every node reads this file: %n, its node name, keeps their files apart.
    pid_file=$dir/run/slurmd-%n.pid
    log_file=$dir/log/slurmd-%n.log
    node_lines=""
    for h in "${hosts[@]}"; do
      node_lines+="NodeName=$h NodeHostname=$h NodeAddr=$(host_addr "$h") ${hw}State=UNKNOWN"$'\n'
    done
    part_nodes=$(IFS=,; echo "${hosts[*]}")
    # Each host's own /tmp: no two nodes share the per-step folders.
    tmpfs=/tmp
    tmpfs_note=", and each test
# host's own /tmp keeps the nodes of this one apart (a folder in DIR would be shared by them)"
  else
    ctld_line="SlurmctldHost=localhost"
    pid_file=$dir/run/slurmd.pid
    log_file=$dir/log/slurmd.log
    node_lines="NodeName=$node NodeAddr=127.0.0.1 ${hw}State=UNKNOWN"$'\n'
    part_nodes=$node
    tmpfs=$dir/tmp
    tmpfs_note=""
  fi
  cat >"$conf.tmp" <<EOF
# Generated by scripts/slurm-local-cluster.sh: a $(multi && echo "${#hosts[@]}-node" || echo one-node) cluster living in $dir.
ClusterName=p2llocal
$ctld_line
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket.2,cred_expire=${P2L_SLURM_CRED_EXPIRE:-10}
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd-%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$pid_file
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$log_file
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups in containers: track processes through /proc, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Finished jobs (state, exit code, restarts) stay readable after slurmctld forgets them.
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
SwitchType=switch/none
MpiDefault=none
# srun --mpi=pmix keeps per-step folders (named by uid, job and step id) under TmpFS: a private
# one keeps clusters running side by side (all starting at job 1) apart$tmpfs_note.
TmpFS=$tmpfs
SchedulerType=sched/backfill
# Look at pending jobs every 2 s instead of every 30-60 s: tests wait on dependencies, requeues.
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
KillWait=${P2L_SLURM_KILL_WAIT:-30}
MinJobAge=300
InactiveLimit=0
SlurmdTimeout=120
SlurmctldTimeout=120
${node_lines}PartitionName=local Nodes=$part_nodes Default=YES MaxTime=INFINITE State=UP GraceTime=${P2L_SLURM_GRACE_TIME:-60}
EOF
  mv "$conf.tmp" "$conf"
  if multi; then
    # A test host's /sys is its own (a network namespace's), without /sys/fs/cgroup mounted, and
    # slurmd's cgroup detection then fails ("No filesystem mounted on /sys/fs/cgroup"). Nothing
    # here uses cgroups (proctrack/linuxproc, task/none): a named plugin skips the detection.
    echo "CgroupPlugin=cgroup/v1" >"$dir/cgroup.conf"
  else
    rm -f "$dir/cgroup.conf"
  fi
  {
    if multi; then
      echo "# Clients run on a test host (on_host 1 ...): the machine's own namespace cannot reach the nodes."
    fi
    echo "export SLURM_CONF=$conf"
  } >"$dir/env.sh"
}

answers() { SLURM_CONF=$conf ctl timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP'; }

# "NODE STATE" lines, one per node that sinfo knows.
node_states() { SLURM_CONF=$conf ctl timeout 10 sinfo -h -N -o '%N %T' 2>/dev/null | sort -u; }

node_state() { node_states | awk -v n="$1" '$1 == n {print $2; exit}'; }

# Every daemon of the cluster has a live pid.
all_running() {
  local n
  live_pid "$dir/run/slurmctld.pid" >/dev/null || return 1
  for n in $(nodes); do
    live_pid "$(slurmd_pid_file "$n")" >/dev/null || return 1
  done
}

cmd_status() {
  local ctld slurmd munge n ok=1 where=""
  multi && where=" on $ctld_host"
  munge=$(live_pid "$dir/munge/munged.pid" || true)
  ctld=$(live_pid "$dir/run/slurmctld.pid" || true)
  echo "munged:    ${munge:-not running}${munge:+$where}"
  echo "slurmctld: ${ctld:-not running}${ctld:+$where}"
  [ -n "$ctld" ] || ok=0
  for n in $(nodes); do
    slurmd=$(live_pid "$(slurmd_pid_file "$n")" || true)
    if multi; then
      echo "slurmd:    ${slurmd:-not running} on $n"
    else
      echo "slurmd:    ${slurmd:-not running}"
    fi
    [ -n "$slurmd" ] || ok=0
  done
  if [ "$ok" = 1 ] && answers; then
    for n in $(nodes); do
      echo "node $n: $(node_state "$n")"
    done
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  return 1
}

# A failed start leaves nothing running (the logs stay for reading).
abort_start() {
  cmd_stop >/dev/null 2>&1 || true
  die "$* (logs in $dir/log)"
}

cmd_start() {
  export SLURM_CONF=$conf
  local n
  # The cluster this folder held before, stopped first when it had other nodes.
  read_hosts_record
  local before="${hosts[*]}|$hosts_dir"
  if [ -n "$hosts_arg" ]; then set_hosts "$hosts_arg"; else hosts=(); hosts_dir=""; ctld_host=""; fi
  if [ "$before" != "${hosts[*]}|$hosts_dir" ]; then
    local want=("${hosts[@]}") want_dir=$hosts_dir
    read_hosts_record
    cmd_stop >/dev/null 2>&1 || true
    rm -f "$dir/hosts.env" "$dir/run/"*.pid
    hosts=("${want[@]}")
    hosts_dir=$want_dir
    ctld_host=${hosts[0]:-}
  fi
  if multi; then
    check_hosts
    # Recorded before anything starts, so that stop and status find every daemon.
    printf 'hosts=%s\nhosts_dir=%s\n' "${hosts[*]}" "$hosts_dir" >"$dir/hosts.env.tmp"
    mv "$dir/hosts.env.tmp" "$dir/hosts.env"
  fi
  if all_running && [ -f "$conf" ] && answers; then
    log "already running in $dir"
  else
    # Half-started leftovers (one daemon dead) are stopped so the ports and state are coherent.
    stop_daemons
    rm -f "$dir/run/slurmctld.pid"
    for n in $(nodes); do rm -f "$(slurmd_pid_file "$n")"; done
    start_munge
    write_conf
    log "starting slurmctld${ctld_host:+ on $ctld_host} (port $(grep -oP '^SlurmctldPort=\K.*' "$conf"))"
    # -c: start from an empty state, jobs of an earlier life of this folder are forgotten.
    if ! ctl slurmctld -c -f "$conf" >>"$dir/log/slurmctld.out" 2>&1; then
      tail_log "$dir/log/slurmctld.out"; tail_log "$dir/log/slurmctld.log"
      abort_start "slurmctld failed to start"
    fi
    for n in $(nodes); do
      log "starting slurmd for node $n (port $(grep -oP '^SlurmdPort=\K.*' "$conf"))"
      if ! on_node "$n" slurmd -f "$conf" -N "$n" >>"$(slurmd_log "$n").out" 2>&1; then
        tail_log "$(slurmd_log "$n").out"; tail_log "$(slurmd_log "$n").log"
        abort_start "slurmd${ctld_host:+ of node $n} failed to start"
      fi
    done
  fi
  local state="" states="" ready deadline=$((SECONDS + ${P2L_SLURM_START_TIMEOUT:-60}))
  while [ $SECONDS -lt $deadline ]; do
    if dead_pid "$dir/run/slurmctld.pid"; then
      tail_log "$dir/log/slurmctld.log"; abort_start "slurmctld exited"
    fi
    for n in $(nodes); do
      if dead_pid "$(slurmd_pid_file "$n")"; then
        tail_log "$(slurmd_log "$n").log"; abort_start "slurmd${ctld_host:+ of node $n} exited"
      fi
    done
    states=$(node_states || true)
    ready=1
    for n in $(nodes); do
      state=$(awk -v n="$n" '$1 == n {print $2; exit}' <<<"$states")
      case "$state" in
        idle|mixed|allocated) ;;
        *) ready=0 ;;
      esac
    done
    if [ "$ready" = 1 ]; then
      if multi; then
        log "nodes: $(tr '\n' ' ' <<<"$states" | sed 's/ $//')"
      else
        log "node $node is $state"
      fi
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  tail_log "$dir/log/slurmctld.log"
  for n in $(nodes); do tail_log "$(slurmd_log "$n").log"; done
  if multi; then
    abort_start "nodes not all idle after ${P2L_SLURM_START_TIMEOUT:-60}s (states: $(tr '\n' ' ' <<<"${states:-no answer}"))"
  fi
  abort_start "node $node not idle after ${P2L_SLURM_START_TIMEOUT:-60}s (state: ${state:-no answer})"
}

# Waits up to $2 tenths of a second for process $1 to exit; kills it when it does not.
await_exit() {
  local pid=$1 n=$2
  for _ in $(seq 1 "$n"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "process $pid still alive, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

stop_daemons() {
  local ctld slurmd="" pid n p
  export SLURM_CONF=$conf
  ctld=$(live_pid "$dir/run/slurmctld.pid" || true)
  for n in $(nodes); do
    p=$(live_pid "$(slurmd_pid_file "$n")" || true)
    slurmd+="${p:+$p }"
  done
  if [ -n "$ctld" ] && [ -f "$conf" ]; then
    # Jobs first, so no slurmstepd of this cluster outlives it.
    ctl timeout 10 scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 1 50); do
      [ -z "$(ctl timeout 10 squeue -h -t R,CG 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  if [ -f "$conf" ]; then
    for n in $(nodes); do
      live_pid "$(slurmd_pid_file "$n")" >/dev/null || continue
      # Step processes of this node that survived the cancellation (by their ids only).
      for pid in $(on_node "$n" timeout 10 scontrol listpids 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $1}'); do
        kill -KILL "$pid" 2>/dev/null || true
      done
    done
  fi
  for pid in $slurmd $ctld; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $slurmd $ctld; do
    await_exit "$pid" 100
  done
}

cmd_stop() {
  local munge
  stop_daemons
  munge=$(live_pid "$dir/munge/munged.pid" || true)
  if [ -n "$munge" ]; then
    kill -TERM "$munge" 2>/dev/null || true
    await_exit "$munge" 50
  fi
  log "stopped cluster in $dir"
}

case "$action" in
  start) cmd_start ;;
  stop|status)
    read_hosts_record
    # A folder without a record (a start that never got that far): the hosts given, if any.
    if ! multi && [ -n "$hosts_arg" ]; then set_hosts "$hosts_arg"; fi
    if [ "$action" = stop ]; then cmd_stop; else cmd_status; fi ;;
  *) usage ;;
esac
