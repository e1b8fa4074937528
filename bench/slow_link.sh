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
#   train        p2l-train on 2 hosts x 1 rank (mpirun across the hosts, run.network_interface=eth1)
#                for each train.overlap_allreduce (true, false) and train.bucket_mb: the medians
#                of rank 0's step `seconds` and `allreduce_seconds` (train_log.jsonl) after the
#                first SKIP steps, the tbf drops and h1's eth1 bytes.
# Before any shaping: compute, the same training on 1 rank (no all-reduce), alone and with a
# second 1-rank training beside it (two processes on this machine's cores, as the two hosts
# are), and the 2-host training on the unshaped link; the gradient's size and the reducer's
# buckets from the 1-rank run's checkpoint (needs .venv's torch; else the size is left out).
# Prints one JSON object (and writes it to OUT).
#
# Usage: bench/slow_link.sh [--out FILE] [--bin DIR] [--rates "1000 200"] [--buckets "25 4"]
#                           [--steps 16] [--skip 3] [--patches 256] [--burst 131072]
#                           [--tbf-latency 20ms] [--keep]
# Rates in Mbit/s; --burst in bytes; --keep leaves the work folder (logs, runs) in place.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=slow_link.json; bin="$src/build/bin"; rates="1000 200"; buckets="25 4"
steps=16; skip=3; patches=256; burst=131072; tbf_latency=20ms; keep=0
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
hosts_up 2 "$work/hosts"
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
two_hosts() {  # $1 = name, then overrides
  local name=$1; shift
  local load=$(loadavg) b0=$(host_bytes 1 eth1)
  on_host 1 timeout 600 "${ACROSS[@]}" "$bin/p2l-train" "${TRAIN[@]}" run.output_dir="$work/$name" \
    run.network_interface=eth1 "$@" > "$work/$name.txt" 2>&1 || { tail -20 "$work/$name.txt" >&2; echo "FAIL: $name" >&2; exit 1; }
  echo "{\"load_before\": $load, \"eth1_bytes_h1\": $(( $(host_bytes 1 eth1) - b0 ))}"
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
l=$(loadavg); one_rank compute 1
record "$(merge "{\"kind\": \"compute\", \"name\": \"1 rank alone\", \"load_before\": $l}" "$($py steps.py compute/train_log.jsonl "$skip")")"
l=$(loadavg); one_rank pair1 1 & p1=$!; one_rank pair2 2 & p2=$!; wait $p1 $p2
for k in 1 2; do
  record "$(merge "{\"kind\": \"compute\", \"name\": \"1 rank beside another (pair$k)\", \"load_before\": $l}" "$($py steps.py pair$k/train_log.jsonl "$skip")")"
done
if "$py" -c "import torch" 2> /dev/null; then
  record "$(merge '{"kind": "gradient"}' "$($py gradient.py compute/checkpoints/last.pt $buckets)")"
fi

log "the unshaped link"
measure_link unshaped
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
                  "rates_Mbit_s": "$rates".split(), "bucket_mb": "$buckets".split()},
     "gradient": next((x for x in rows if x["kind"] == "gradient"), None),
     "compute": [x for x in rows if x["kind"] == "compute"],
     "link": [x for x in rows if x["kind"] == "link"],
     "train": [x for x in rows if x["kind"] == "train"]}
open(sys.argv[2], "w").write(json.dumps(r, indent=1) + "\n")
print(json.dumps(r, indent=1))
PY
