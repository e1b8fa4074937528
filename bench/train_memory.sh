#!/usr/bin/env bash
# Memory of the training ranks with the training split held per rank or once per node
# (train.shared_slices, docs/TRAINING.md "Training data in memory"). For each setting: NP ranks of
# p2l-train for STEPS steps on the store of CONFIG; every 0.2 s the ranks' /proc/<pid>/smaps_rollup
# is read, and the node's MemAvailable; prints one JSON object: per setting, each rank's peak
# Rss and peak Pss (MiB; Pss counts a page shared by k processes as 1/k, and only pages a rank
# has touched), the node's peak use (MemAvailable before the run minus its lowest value during
# it: this counts the node's shared file in full) and the median patches/s of the logged steps.
# Usage: bench/train_memory.sh [CONFIG] [NP] [STEPS] [section.key=value ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${1:-$root/configs/default.yaml}"; np="${2:-2}"; steps="${3:-40}"; shift $(( $# < 3 ? $# : 3 ))
bin="${P2L_BUILD_DIR:-$root/build}/bin"
work=$(mktemp -d /tmp/p2l_train_memory.XXXXXX)
trap 'rm -rf "$work"' EXIT
run() {  # $1 = true|false, then overrides
  local shared="$1"; shift
  local out="$work/run-$shared"
  bash "$root/scripts/mpi-launch.sh" "$np" "$bin/p2l-train" --config "$config" run.output_dir="$out" \
    train.steps="$steps" train.val_every="$steps" train.checkpoint_every="$steps" train.shared_slices="$shared" "$@" \
    > "$work/log-$shared" 2>&1 &
  local launcher=$!
  declare -A rss pss
  local avail0 avail lowest
  avail0=$(awk '/^MemAvailable:/{print $2}' /proc/meminfo); lowest=$avail0
  while kill -0 $launcher 2>/dev/null; do
    for pid in $(pgrep -f "p2l-train --config $config run.output_dir=$out" || true); do
      [ "$(cat /proc/$pid/comm 2>/dev/null)" = p2l-train ] || continue  # not mpirun or the shell
      [ -r /proc/$pid/smaps_rollup ] || continue
      read -r r p < <(awk '/^Rss:/{r=$2} /^Pss:/{p=$2} END{print r+0, p+0}' /proc/$pid/smaps_rollup 2>/dev/null || echo "0 0")
      (( r > ${rss[$pid]:-0} )) && rss[$pid]=$r
      (( p > ${pss[$pid]:-0} )) && pss[$pid]=$p
    done
    avail=$(awk '/^MemAvailable:/{print $2}' /proc/meminfo)
    (( avail < lowest )) && lowest=$avail
    sleep 0.2
  done
  wait $launcher || { cat "$work/log-$shared" >&2; echo "p2l-train failed (shared_slices=$shared)" >&2; exit 1; }
  local rate
  rate=$(python3 -c "
import json,statistics,sys
rows=[json.loads(l) for l in open('$out/train_log.jsonl') if '\"patches\"' in l]
rows=[r for r in rows if r.get('seconds',0)>0][5:]
print(round(statistics.median(r['patches']/r['seconds'] for r in rows)) if rows else 0)")
  local ranks="" sep=""
  for pid in "${!rss[@]}"; do
    ranks+="$sep{\"rss_peak_mib\": $(( ${rss[$pid]} / 1024 )), \"pss_peak_mib\": $(( ${pss[$pid]} / 1024 ))}"; sep=", "
  done
  echo "\"shared_slices_$shared\": {\"ranks\": [$ranks], \"node_peak_mib\": $(( (avail0 - lowest) / 1024 )), \"patches_per_s\": $rate, \"note\": \"$(grep -o 'training (one copy per node)\|[0-9]* training and' "$out/train.log" | head -1)\"}"
}
a=$(run false "$@")
b=$(run true "$@")
echo "{\"config\": \"$config\", \"ranks\": $np, \"steps\": $steps, \"date\": \"$(date -u +%F)\", $a, $b}"
