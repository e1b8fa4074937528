#!/bin/bash
# Two real hosts on one machine (tests/support/test_hosts.sh: each its own network, UTS and mount
# namespace, hostname, two networks: eth0, which the host names resolve to, and the data network
# eth1; its own /dev/shm and /tmp), the build and a shared folder seen by both, as on a cluster.
# Every stage runs with run.network_interface=eth1; Open MPI's launch traffic stays on eth0.
#  1. Open MPI launches one rank on each host (a hostfile; the remote launch enters the other
#     host, tests/support/host_rsh.sh), its traffic pinned to TCP (btl tcp,self: no shared
#     memory, no loopback between them): each rank names its own host;
#  2. p2l-preprocess with one rank per host: the store equals the one-host store, and each rank
#     names its host and eth1;
#  3. p2l-train with one rank per host: train.log places the ranks on 2 nodes (their node
#     identities differ), each host reads its training split itself, every rank names its host
#     and eth1, the rendezvous and the gradients cross eth1 (its byte counters, against eth0's),
#     and every step's loss equals the one-host 2-rank run's, to the bit (the same batches and
#     the same two-rank sum); an interface the hosts lack fails before any rendezvous;
#  4. p2l-evaluate with one rank per host: table.md, the CSVs and every heatmap byte for byte
#     the one-host 2-rank evaluation's.
# Exits 77 (skipped) with the reason where namespaces are not allowed.
set -euo pipefail
BUILD=$1
SRC=$2
BIN=$BUILD/bin
source "$SRC/tests/scripts/tiny_store.sh"
source "$SRC/tests/scripts/store_checks.sh"
source "$SRC/tests/support/test_hosts.sh"
test_hosts_for p2l_test_two_hosts 2 "$BUILD"
printf 'h1 slots=1\nh2 slots=1\n' > hostfile
# --bind-to none: the two hosts share this machine's cores, and each host's mpirun would bind its
# one rank to core 0, the same core for both.
ACROSS=(timeout 300 mpirun --allow-run-as-root --hostfile "$SHARED/hostfile" -np 2 --bind-to none
        --mca plm_rsh_agent "$SRC/tests/support/host_rsh.sh"
        --mca btl tcp,self --mca oob_tcp_if_include eth0)
DATA=run.network_interface=eth1
ONE=(mpirun --allow-run-as-root --oversubscribe -np 2)

# 1. One rank per host.
on_host 1 "${ACROSS[@]}" sh -c 'echo "rank $OMPI_COMM_WORLD_RANK on $(hostname)"' > launch.txt 2>&1 \
  || { cat launch.txt; fail "mpirun across the hosts"; }
grep -qx "rank 0 on h1" launch.txt && grep -qx "rank 1 on h2" launch.txt || { cat launch.txt; fail "ranks not on h1 and h2"; }

# 2. Preprocessing across the hosts equals one host's.
make_tiny_store "$BIN" "$SHARED"
on_host 1 "${ACROSS[@]}" "$BIN/p2l-preprocess" data.data_dir="$SHARED/cohort" data.store_dir="$SHARED/store2h" \
  data.test_sets=[tumor] preprocess.image_dim=[40,40,12] run.output_dir="$SHARED" $DATA > pre2h.txt 2>&1 \
  || { cat pre2h.txt; fail "p2l-preprocess across the hosts"; }
same_store "$SHARED/store" "$SHARED/store2h" || fail "the two-host store differs from the one-host store"
for r in 0 1; do
  grep -q "^p2l-preprocess rank $r/2 on host h$((r + 1)): network interface eth1 198.18.1.1$((r + 1))$" pre2h.txt \
    || { cat pre2h.txt; fail "preprocessing rank $r did not name h$((r + 1)) and eth1"; }
done

# 3. Training across the hosts equals one host's, step by step.
COMMON=(data.store_dir="$SHARED/store" train.patch_fraction=0.2 train.slices_per_step=4 train.patches_per_step=32
        train.val_patches=64 train.val_every=2 train.checkpoint_every=1000 train.log_every=1 train.timeout_s=60
        run.threads=1 train.precision=fp32 train.steps=4)
"${ONE[@]}" "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$SHARED/one" > one.txt 2>&1 || { cat one.txt; fail "one-host training"; }
before0=$(host_bytes 1 eth0) before1=$(host_bytes 1 eth1)
on_host 1 "${ACROSS[@]}" "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$SHARED/two" $DATA > two.txt 2>&1 \
  || { cat two.txt; fail "training across the hosts"; }
eth0=$(( $(host_bytes 1 eth0) - before0 )) eth1=$(( $(host_bytes 1 eth1) - before1 ))
# Each step all-reduces every gradient (megabytes); the launch's own traffic on eth0 is small.
[ "$eth1" -gt $((20 * eth0)) ] && [ "$eth1" -gt 4000000 ] \
  || fail "training crossed eth1 with $eth1 bytes and eth0 with $eth0: not the data network"
for r in 0 1; do
  grep -q "^rank $r/2 on host h$((r + 1)): .* network interface eth1 198.18.1.1$((r + 1)) (run.network_interface)$" two.txt \
    || { cat two.txt; fail "training rank $r did not name eth1"; }
done
# An interface the hosts lack: each rank says so and exits before the rendezvous would wait.
start=$SECONDS
on_host 1 "${ACROSS[@]}" "$BIN/p2l-train" "${COMMON[@]}" run.output_dir="$SHARED/wrong" run.network_interface=eth7 \
  > wrong.txt 2>&1 && fail "training with a missing interface succeeded"
[ $((SECONDS - start)) -lt 30 ] || fail "a missing interface took $((SECONDS - start)) s to fail (train.timeout_s=60)"
grep -q "run.network_interface: 'eth7' is not an interface of h1 that is up with an IPv4 address (it has: lo 127.0.0.1, eth0 198.18.0.11, eth1 198.18.1.11)" wrong.txt \
  || { cat wrong.txt; fail "no clear error for the missing interface"; }
grep -q "placement from the ranks' exchanged node identities: 2 node(s); rank 0 is local rank 0 of 1 on node 0" two/train.log \
  || { cat two/train.log; fail "the ranks were not placed on 2 nodes"; }
grep -q "wrote the training slices" two.txt && { cat two.txt; fail "a node of one rank shared its slices"; }
for r in 0 1; do  # each rank names its own host
  grep -q "^rank $r/2 on host h$((r + 1)): node $r of 2, local rank 0 of 1, device cpu, backend gloo" two.txt \
    || { cat two.txt; fail "rank $r did not say it ran on h$((r + 1))"; }
done
grep -q "placement from the ranks' exchanged node identities: 1 node(s)" one/train.log || fail "the one-host run was not on 1 node"
losses() { grep -o '"\(val_\)\?loss": [^,]*' "$1/train_log.jsonl"; }
[ "$(losses one | wc -l)" -ge 5 ] || fail "the one-host run logged too few losses"
[ "$(losses two)" = "$(losses one)" ] || { paste <(losses one) <(losses two); fail "the two-host losses differ from the one-host run's"; }

# 4. Evaluation across the hosts equals one host's, byte for byte.
EVAL=(data.data_dir="$SHARED/cohort" data.store_dir="$SHARED/store" data.test_sets=[tumor]
      eval.checkpoint="$SHARED/one/checkpoints/best.pt" eval.stride=2 eval.median_size=3 eval.figure_slices=1 run.threads=1)
"${ONE[@]}" "$BIN/p2l-evaluate" "${EVAL[@]}" run.output_dir="$SHARED/eval_one" > eval_one.txt 2>&1 \
  || { tail -20 eval_one.txt; fail "one-host evaluation"; }
on_host 1 "${ACROSS[@]}" --display-map "$BIN/p2l-evaluate" "${EVAL[@]}" run.output_dir="$SHARED/eval_two" $DATA > eval_two.txt 2>&1 \
  || { tail -20 eval_two.txt; fail "evaluation across the hosts"; }
grep -qE "Data for node: h1[[:space:]]+Num slots: 1[[:space:]]+Max slots: 0[[:space:]]+Num procs: 1" eval_two.txt \
  && grep -qE "Data for node: h2[[:space:]]+Num slots: 1[[:space:]]+Max slots: 0[[:space:]]+Num procs: 1" eval_two.txt \
  || { grep -A2 "Data for node" eval_two.txt; fail "the evaluation's ranks were not mapped one per host"; }
for f in table.md results_per_volume.csv results_summary.csv selection.csv; do
  cmp -s "eval_one/report/$f" "eval_two/report/$f" || fail "two hosts and one host differ in report/$f"
done
n=0
for f in eval_one/heatmaps/*/raw/*.nii.gz eval_one/heatmaps/*/*.nii.gz; do
  cmp -s <(zcat "$f") <(zcat "eval_two/${f#eval_one/}") || fail "two hosts and one host differ in ${f#eval_one/}"
  n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "compared only $n heatmap files"
echo "ok: MPI across 2 hosts over TCP; training sent $eth1 bytes over eth1 and $eth0 over eth0; preprocessing, $(losses one | wc -l) training losses, the evaluation's table, CSVs and $n heatmap files equal the one-host runs'"
