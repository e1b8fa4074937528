#!/usr/bin/env bash
# The scaling model (bench/scaling_model.py) against a measured slow link (docs/SCALING.md,
# "Data-parallel training over a slow link"). A benchmark, not a test: root, namespaces, minutes.
#
# Two test hosts on this machine (tests/support/test_hosts.sh), their data network eth1 shaped
# at the switch by a token bucket (`tc qdisc ... tbf`) on both switch-side ends (h1d: traffic
# towards h1; h2d: towards h2), so each direction carries at most RATE. For each rate:
#   link         the link as it is: one 47 MB TCP transfer h1 -> h2 (the receiver times it from
#                accept to end of file), the same both ways at once, and the round trip of 50
#                small TCP connects to a closed port (each answered by a RST);
#   all-reduce   the reducer's buckets all-reduced alone (no training; Gloo through .venv's
#                PyTorch, the same version as the LibTorch linked): all at once, and with every
#                bucket but the last overlapping --probe-hide seconds of compute;
#   train        p2l-train on 2 hosts x 1 rank (mpirun across the hosts, run.network_interface=eth1)
#                for each train.overlap_allreduce (true, false) and train.bucket_mb: the medians
#                of rank 0's step `seconds` and `allreduce_seconds` (train_log.jsonl) after the
#                first SKIP steps, the tbf drops, h1's eth1 bytes, and where the CPU time went
#                (the machine's busy and idle CPU-seconds a step; each rank's main thread's run
#                and run-queue wait, its other threads' run).
# Before any shaping: compute, the same training on 1 rank (no all-reduce), alone and with a
# second 1-rank training beside it (two processes on this machine's cores, as the two hosts
# are); the gradient's size and the reducer's buckets from the 1-rank run's checkpoint (needs
# .venv's torch; else they and the all-reduce alone are left out); then link, all-reduce and
# train as above on the unshaped link (rate "unshaped").
# Prints one JSON object (and writes it to OUT).
#
# Usage: bench/slow_link.sh [--out FILE] [--bin DIR] [--rates "1000 200"] [--buckets "25 4"]
#                           [--steps 16] [--skip 3] [--patches 256] [--burst 131072]
#                           [--tbf-latency 20ms] [--probe-hide 0.3] [--keep]
# Rates in Mbit/s; --burst in bytes; --probe-hide: the seconds of compute the all-reduce alone
# overlaps (about a 2-rank backward here); --keep leaves the work folder (logs, runs) in place.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=slow_link.json; bin="$src/build/bin"; rates="1000 200"; buckets="25 4"
steps=16; skip=3; patches=256; burst=131072; tbf_latency=20ms; probe_hide=0.3; keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2;;
    --bin) bin=$2; shift 2;;
    --rates) rates=$2; shift 2;;
    --buckets) buckets=$2; shift 2;;
    --steps) steps=$2; shift 2;;
    --skip) skip=$2; shift 2;;
    --patches) patches=$2; shift 2;;
    --burst) burst=$2; shift 2;;
    --tbf-latency) tbf_latency=$2; shift 2;;
    --probe-hide) probe_hide=$2; shift 2;;
    --keep) keep=1; shift;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2;;
  esac
done
out=$(realpath -m "$out")
bin=$(realpath "$bin")
py=python3
[ -x "$src/.venv/bin/python" ] && py="$src/.venv/bin/python"
source "$src/tests/scripts/tiny_store.sh"
source "$src/tests/support/test_hosts.sh"
work=$(mktemp -d /var/tmp/p2l_slow_link.XXXXXX)  # not /tmp: each host has its own
cleanup() { hosts_down; if [ $keep = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
cd "$work"
results="$work/results.jsonl"
: > "$results"
log() { echo "[$(date +%T)] $*" >&2; }
record() { echo "$1" >> "$results"; }  # one JSON object a line
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# The small helpers, in Python (the machine's python3; the hosts see the same files).
cat > recv.py <<'PY'
import json, socket, sys, time
port, ready, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port)); s.listen(1); s.settimeout(seconds)
open(ready, "w").close()
c, _ = s.accept(); c.settimeout(seconds)
t0 = time.perf_counter(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b: break
    n += len(b)
t = time.perf_counter() - t0
print(json.dumps({"bytes": n, "seconds": t, "Mbit_s": n * 8 / t / 1e6}))
PY
cat > send.py <<'PY'
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = socket.create_connection((host, port), timeout=20)
buf = bytes(1 << 20)
while n > 0:
    k = min(n, len(buf)); c.sendall(buf[:k]); n -= k
c.close()
PY
cat > rtt.py <<'PY'
import json, socket, statistics, sys, time
host, count = sys.argv[1], int(sys.argv[2])
t = []
for _ in range(count):
    c = socket.socket(); c.settimeout(2)
    t0 = time.perf_counter()
    try: c.connect((host, 9))  # nothing listens: the answer is a RST
    except ConnectionRefusedError: t.append(time.perf_counter() - t0)
    finally: c.close()
print(json.dumps({"connects": len(t), "median_us": 1e6 * statistics.median(t), "min_us": 1e6 * min(t)}))
PY
cat > steps.py <<'PY'
import json, statistics, sys
path, skip = sys.argv[1], int(sys.argv[2])
rows = [json.loads(l) for l in open(path)]
st = [r for r in rows if "seconds" in r and "allreduce_seconds" in r][skip:]
sec = [r["seconds"] for r in st]; ar = [r["allreduce_seconds"] for r in st]
print(json.dumps({"steps_used": len(st), "step_s": statistics.median(sec), "allreduce_s": statistics.median(ar),
                  "step_s_min": min(sec), "step_s_max": max(sec), "allreduce_s_min": min(ar), "allreduce_s_max": max(ar),
                  "step_s_all": [round(x, 4) for x in sec], "allreduce_s_all": [round(x, 4) for x in ar]}))
PY
cat > cpu.py <<'PY'
# Where the CPU time went while the steps after the first SKIP ran: every 20 ms, /proc/stat's
# counters, each p2l-train thread's run and run-queue wait (/proc/PID/task/TID/schedstat) and the
# line count of rank 0's train_log.jsonl (one line a step); the interval from the sample that
# first sees SKIP lines to the one that first sees STEPS. Per step: the machine's busy, system,
# softirq and idle CPU-seconds; per rank, its main thread's run and wait (runnable, no core
# free) and its other threads' (Gloo's) run.
import json, os, sys, time
log, skip, steps, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
hz = os.sysconf("SC_CLK_TCK")
def threads():
    r = {}
    for p in os.listdir("/proc"):
        try:
            if not p.isdigit() or open(f"/proc/{p}/comm").read().strip() != "p2l-train": continue
            for t in os.listdir(f"/proc/{p}/task"):
                run, wait = open(f"/proc/{p}/task/{t}/schedstat").read().split()[:2]
                r[(p, t)] = (int(run) / 1e9, int(wait) / 1e9)
        except OSError: pass
    return r
def sample():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    try: n = sum(1 for l in open(log) if '"allreduce_seconds"' in l)
    except OSError: n = 0
    return time.monotonic(), f, n
a = b = None
deadline = time.monotonic() + 900
while time.monotonic() < deadline and not os.path.exists(stop):
    t, f, n = sample()
    if a is None and n >= skip: a = (t, f, n, threads())
    if n >= steps: b = (t, f, n, threads()); break
    time.sleep(0.02)
if a is None or b is None or b[2] == a[2]:
    print(json.dumps(None)); sys.exit()
d = [(y - x) / hz for x, y in zip(a[1], b[1])]
k, wall = b[2] - a[2], b[0] - a[0]
busy = sum(d) - d[3] - d[4]
ranks = {}
for (p, t), (run, wait) in b[3].items():
    run0, wait0 = a[3].get((p, t), (0.0, 0.0))
    r = ranks.setdefault(p, {"main_run_s": 0.0, "main_wait_s": 0.0, "other_threads_run_s": 0.0})
    if p == t: r["main_run_s"] += (run - run0) / k; r["main_wait_s"] += (wait - wait0) / k
    else: r["other_threads_run_s"] += (run - run0) / k
print(json.dumps({"steps": k, "wall_s_per_step": wall / k, "busy_cpu_s_per_step": busy / k, "user_s_per_step": (d[0] + d[1]) / k,
                  "system_s_per_step": d[2] / k, "softirq_s_per_step": (d[5] + d[6]) / k, "idle_s_per_step": (d[3] + d[4]) / k,
                  "busy_share": busy / max(sum(d), 1e-9),
                  "ranks_per_step": [{x: round(y, 4) for x, y in r.items()} for _, r in sorted(ranks.items())]}))
PY
cat > allreduce.py <<'PY'
# The all-reduce alone (no training), with the Gloo of .venv's PyTorch (the version LibTorch is):
# the reducer's buckets (sizes in bytes) across the two hosts over eth1, REPS times after a
# barrier and 0.4 s apart (the idle gap a step's compute leaves). HIDE = 0: every bucket started
# at once, then all waited for (train.overlap_allreduce=false): the seconds from the first start.
# HIDE > 0: every bucket but the last started, HIDE seconds of busy compute on this rank's one
# thread (a backward pass that the all-reduce overlaps), then the last: the seconds waited after
# it (what allreduce_seconds measures with overlap). Rank 0 prints the median of all but the first.
import json, os, statistics, sys, time, torch, torch.distributed as dist
rank, plan, reps, hide = int(sys.argv[1]), [int(x) for x in sys.argv[2].split(",")], int(sys.argv[3]), float(sys.argv[4])
torch.set_num_threads(1)
dist.init_process_group("gloo", init_method="tcp://198.18.1.11:29555", rank=rank, world_size=2)
bufs, a, t = [torch.ones(b // 4) for b in plan], torch.randn(256, 256), []
for _ in range(reps):
    dist.barrier()
    time.sleep(0.4)
    t0 = time.perf_counter()
    w = [dist.all_reduce(b, async_op=True) for b in (bufs[:-1] if hide else bufs)]
    while time.perf_counter() - t0 < hide: a = (a @ a).tanh_()
    if hide: w.append(dist.all_reduce(bufs[-1], async_op=True)); t0 = time.perf_counter()
    for x in w: x.wait()
    t.append(time.perf_counter() - t0)
if rank == 0:
    print(json.dumps({"buckets": len(plan), "hide_s": hide, "median_s": statistics.median(t[1:]), "all_s": [round(x, 4) for x in t]}))
dist.destroy_process_group()
PY
cat > gradient.py <<'PY'
# The gradient's size and the reducer's buckets (GradientReducer: the parameters in reverse
# order, a new bucket when the next would pass bucket_mb MiB), from a checkpoint's model.
import json, sys, torch
model = torch.jit.load(sys.argv[1]).model
sizes = [p.numel() * 4 for _, p in model.named_parameters()]
out = {"parameters": sum(sizes) // 4, "gradient_bytes": sum(sizes), "buckets": {}}
for mb in sys.argv[2:]:
    cap, plan = float(mb) * 2**20, []
    for b in reversed(sizes):
        if not plan or plan[-1] + b > cap: plan.append(0)
        plan[-1] += b
    out["buckets"][mb] = plan  # bytes, in the order backward fills them; the last waits for backward's end
print(json.dumps(out))
PY

log "the tiny store"
make_tiny_store "$bin" "$work"
TRAIN=(data.store_dir="$work/store" train.patch_fraction=0.3 train.slices_per_step=4 train.patches_per_step="$patches"
       train.val_patches=64 train.val_every=100000 train.checkpoint_every=100000 train.log_every=1 train.timeout_s=120
       run.threads=1 train.precision=fp32 train.steps="$steps")
hosts_up 2 "$work/hosts" "$(dirname "$bin")"
printf 'h1 slots=1\nh2 slots=1\n' > hostfile
# --bind-to none: Open MPI binds each host's one rank to that host's first core, which on these
# test hosts is the same core of this machine (measured: the ranks then share one core).
ACROSS=(mpirun --allow-run-as-root --hostfile "$work/hostfile" -np 2 --bind-to none
        --mca plm_rsh_agent "$src/tests/support/host_rsh.sh" --mca btl tcp,self --mca oob_tcp_if_include eth0)
sw="${P2L_HOSTS_TAG}sw"

one_rank() {  # $1 = name, $2 = host; 1 rank on that host, no all-reduce
  on_host "$2" timeout 300 "$bin/p2l-train" "${TRAIN[@]}" run.output_dir="$work/$1" > "$work/$1.txt" 2>&1 \
    || { tail -20 "$work/$1.txt" >&2; echo "FAIL: $1" >&2; exit 1; }
}
sampled() {  # $1 = run name, then the command: runs it with cpu.py beside it (its JSON in NAME.cpu.json)
  local name=$1; shift
  rm -f "$work/stop"
  timeout 900 python3 cpu.py "$work/$name/train_log.jsonl" "$skip" "$steps" "$work/stop" > "$work/$name.cpu.json" &
  local s=$!
  "$@" || { touch "$work/stop"; wait $s; return 1; }
  touch "$work/stop"; wait $s
}
two_hosts() {  # $1 = name, then overrides
  local name=$1; shift
  local load=$(loadavg) b0=$(host_bytes 1 eth1)
  sampled "$name" on_host 1 timeout 600 "${ACROSS[@]}" "$bin/p2l-train" "${TRAIN[@]}" run.output_dir="$work/$name" \
    run.network_interface=eth1 "$@" > "$work/$name.txt" 2>&1 || { tail -20 "$work/$name.txt" >&2; echo "FAIL: $name" >&2; exit 1; }
  rm -rf "$work/$name/checkpoints"  # 280 MB a run (the model and Adam's state, twice)
  echo "{\"load_before\": $load, \"eth1_bytes_h1\": $(( $(host_bytes 1 eth1) - b0 )), \"cpu\": $(cat "$work/$name.cpu.json")}"
}
tbf_stats() {  # JSON: bytes sent and packets dropped by both shapers so far
  ip netns exec "$sw" tc -s qdisc show | python3 -c '
import json, re, sys
t = sys.stdin.read()
print(json.dumps({"sent_bytes": sum(map(int, re.findall(r"Sent (\d+) bytes", t))),
                  "dropped": sum(map(int, re.findall(r"dropped (\d+)", t)))}))'
}
merge() { python3 -c 'import json, sys; r = {}; [r.update(json.loads(a)) for a in sys.argv[1:]]; print(json.dumps(r))' "$@"; }
measure_link() {  # $1 = label
  local rtt one both
  rtt=$(on_host 1 timeout 30 python3 rtt.py h2-data 50)
  rm -f ready2; on_host 2 timeout 40 python3 recv.py 5001 "$work/ready2" 30 > one.json &
  local r=$!
  for _ in $(seq 100); do [ -e ready2 ] && break; sleep 0.05; done
  on_host 1 timeout 30 python3 send.py h2-data 5001 47392272; wait $r
  one=$(cat one.json)
  rm -f ready1 ready2
  on_host 2 timeout 40 python3 recv.py 5002 "$work/ready2" 30 > to2.json &
  local r2=$!
  on_host 1 timeout 40 python3 recv.py 5003 "$work/ready1" 30 > to1.json &
  local r1=$!
  for _ in $(seq 100); do [ -e ready1 ] && [ -e ready2 ] && break; sleep 0.05; done
  on_host 1 timeout 30 python3 send.py h2-data 5002 47392272 & local s1=$!
  on_host 2 timeout 30 python3 send.py h1-data 5003 47392272 & local s2=$!
  wait $s1 $s2 $r1 $r2
  both=$(python3 -c 'import json, sys; a, b = (json.load(open(f)) for f in sys.argv[1:]); print(json.dumps({"to_h2_Mbit_s": a["Mbit_s"], "to_h1_Mbit_s": b["Mbit_s"], "seconds": max(a["seconds"], b["seconds"])}))' to2.json to1.json)
  record "{\"kind\": \"link\", \"rate\": \"$1\", \"rtt\": $rtt, \"one_way\": $one, \"both_ways\": $both}"
}

log "compute: 1 rank alone, then 2 single-rank runs side by side"
l=$(loadavg); sampled compute one_rank compute 1
record "$(merge "{\"kind\": \"compute\", \"name\": \"1 rank alone\", \"load_before\": $l, \"cpu\": $(cat compute.cpu.json)}" "$($py steps.py compute/train_log.jsonl "$skip")")"
l=$(loadavg); one_rank pair1 1 & p1=$!; one_rank pair2 2 & p2=$!; wait $p1 $p2
rm -rf pair1/checkpoints pair2/checkpoints
for k in 1 2; do
  record "$(merge "{\"kind\": \"compute\", \"name\": \"1 rank beside another (pair$k)\", \"load_before\": $l}" "$($py steps.py pair$k/train_log.jsonl "$skip")")"
done
have_torch=0
if "$py" -c "import torch" 2> /dev/null; then
  have_torch=1
  $py gradient.py compute/checkpoints/last.pt $buckets > gradient.json
  record "$(merge '{"kind": "gradient"}' "$(cat gradient.json)")"
else
  log "no torch in $py: the gradient's buckets and the all-reduce alone are left out"
fi
allreduce_alone() {  # $1 = rate label: each bucket plan, all at once and overlapping --probe-hide s of compute
  [ $have_torch = 1 ] || return 0
  local b hide plan r
  for b in $buckets; do
    plan=$(python3 -c 'import json, sys; print(",".join(map(str, json.load(open("gradient.json"))["buckets"][sys.argv[1]])))' "$b")
    for hide in 0 "$probe_hide"; do
      on_host 2 timeout 120 env GLOO_SOCKET_IFNAME=eth1 "$py" allreduce.py 1 "$plan" 6 "$hide" > /dev/null 2> ar1.err & local p=$!
      r=$(on_host 1 timeout 120 env GLOO_SOCKET_IFNAME=eth1 "$py" allreduce.py 0 "$plan" 6 "$hide" 2> ar0.err) \
        || { cat ar0.err ar1.err >&2; echo "FAIL: the all-reduce alone" >&2; exit 1; }
      wait $p || { cat ar1.err >&2; echo "FAIL: the all-reduce alone (rank 1)" >&2; exit 1; }
      record "$(merge "{\"kind\": \"allreduce\", \"rate\": \"$1\", \"bucket_mb\": $b}" "$r")"
    done
  done
}

log "the unshaped link"
measure_link unshaped
allreduce_alone unshaped
for b in $buckets; do
  for o in true false; do
    name="unshaped_o${o}_b$b"
    extra=$(two_hosts "$name" train.overlap_allreduce=$o train.bucket_mb="$b")
    record "$(merge "{\"kind\": \"train\", \"rate\": \"unshaped\", \"overlap\": $o, \"bucket_mb\": $b}" "$extra" "$($py steps.py "$name/train_log.jsonl" "$skip")")"
  done
done

for rate in $rates; do
  log "shaping eth1 to $rate Mbit/s each way (tbf burst $burst bytes, latency $tbf_latency)"
  for end in h1d h2d; do
    ip netns exec "$sw" tc qdisc replace dev "$end" root tbf rate "${rate}mbit" burst "$burst" latency "$tbf_latency"
  done
  measure_link "$rate"
  allreduce_alone "$rate"
  for b in $buckets; do
    for o in true false; do
      name="r${rate}_o${o}_b$b"
      t0=$(tbf_stats)
      extra=$(two_hosts "$name" train.overlap_allreduce=$o train.bucket_mb="$b")
      t1=$(tbf_stats)
      drops=$(python3 -c 'import json, sys; a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2]); print(json.dumps({"tbf_dropped": b["dropped"] - a["dropped"], "tbf_sent_bytes": b["sent_bytes"] - a["sent_bytes"]}))' "$t0" "$t1")
      record "$(merge "{\"kind\": \"train\", \"rate\": \"$rate\", \"overlap\": $o, \"bucket_mb\": $b}" "$extra" "$drops" "$($py steps.py "$name/train_log.jsonl" "$skip")")"
    done
  done
done

python3 - "$results" "$out" <<PY
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
r = {"date": "$(date +%F)", "machine": "$(lscpu | sed -n 's/^Model name: *//p') $(nproc) cores",
     "settings": {"steps": $steps, "skip": $skip, "patches_per_step": $patches, "patch": "12 x 12 (train.patch_fraction=0.3 of 40 x 40)",
                  "threads": 1, "precision": "fp32", "tbf_burst_bytes": $burst, "tbf_latency": "$tbf_latency",
                  "rates_Mbit_s": "$rates".split(), "bucket_mb": "$buckets".split(), "probe_hide_s": $probe_hide},
     "gradient": next((x for x in rows if x["kind"] == "gradient"), None),
     "compute": [x for x in rows if x["kind"] == "compute"],
     "link": [x for x in rows if x["kind"] == "link"],
     "allreduce_alone": [x for x in rows if x["kind"] == "allreduce"],
     "train": [x for x in rows if x["kind"] == "train"]}
open(sys.argv[2], "w").write(json.dumps(r, indent=1) + "\n")
print(json.dumps(r, indent=1))
PY
