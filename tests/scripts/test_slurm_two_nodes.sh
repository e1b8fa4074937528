#!/usr/bin/env bash
# Slurm across two real hosts (tests/support/test_hosts.sh): slurmctld and a slurmd on h1, a
# slurmd on h2, each host its own node (scripts/slurm-local-cluster.sh --hosts h1,h2).
#  1. srun -N2 -n2 runs a task on each host, with PMIx (srun --mpi=pmix, as slurm/job-steps.sh
#     launches) giving each its rank; sbatch --nodes=2 runs a batch job whose step spans both;
#  2. the real executables through the slurm/ job scripts with --nodes=2 --ntasks-per-node=1 and
#     run.network_interface=eth1 (the data network; the host names resolve to eth0): a tiny
#     cohort, preprocess.sbatch, train.sbatch after it (afterok), evaluate.sbatch after that.
#     Each job ran on h1 and h2, each rank says it ran on its own host and eth1, the store holds
#     a shard of each rank, training placed its ranks on 2 nodes and left best and last
#     checkpoints, and the evaluation wrote its tables;
#  3. p2l-sweep with a one-point sweep on that cohort and a cluster profile giving each stage
#     nodes: 2 and ntasks_per_node: 1 (run.network_interface=eth1 among the spec's overrides):
#     the point's training and evaluation ran on h1 and h2, one rank each over eth1, and
#     `p2l-sweep status` shows the point done.
# Exits 77 (skipped) with the reason where namespaces are not allowed. When the executables are
# not built in BUILD_DIR/bin, only part 1 runs and the
# rest is skipped with the reason.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_two_nodes.sh"
start_two_nodes

# 1. The cluster's mechanics across the hosts.
out=$(on_ctld timeout 60 srun -N2 -n2 hostname | sort | tr '\n' ' ')
[ "$out" = "h1 h2 " ] || fail "srun -N2 -n2 hostname printed: $out"
out=$(on_ctld timeout 60 srun --mpi=pmix -N2 -n2 bash -c 'echo "$PMIX_RANK/$SLURM_NTASKS on $(hostname)"' | sort | tr '\n' ' ')
[ "$out" = "0/2 on h1 1/2 on h2 " ] || fail "srun --mpi=pmix -N2 -n2 printed: $out"
pass "srun -N2 -n2 runs a task on h1 and on h2, PMIx ranks 0 and 1"

id=$(on_ctld sbatch --parsable --nodes=2 --ntasks-per-node=1 --output="$WORK/wrap.out" \
  --wrap 'srun bash -c "echo task \$SLURM_PROCID on \$(hostname)" | sort') || fail "sbatch --nodes=2 failed"
state=$(wait_job "$id" 60) || fail "batch job $id did not end: $state"
[ "$state" = COMPLETED ] || fail "batch job $id ended $state: $(cat "$WORK/wrap.out")"
[ "$(cat "$WORK/wrap.out")" = $'task 0 on h1\ntask 1 on h2' ] || fail "batch job output: $(cat "$WORK/wrap.out")"
on_ctld scontrol show job "$id" | grep -q 'NodeList=h\[1-2\]' || fail "job $id not on h[1-2]: $(on_ctld scontrol show job "$id")"
pass "sbatch --nodes=2 ran its step on both nodes"

export P2L_BIN=$BUILD_DIR/bin P2L_SOURCE_DIR=$SOURCE_DIR
for exe in p2l-make-cohort p2l-preprocess p2l-train p2l-evaluate; do
  if [ ! -x "$P2L_BIN/$exe" ]; then
    echo "SKIP: the pipeline on two nodes not run: $P2L_BIN/$exe is not built"
    exit 0
  fi
done

# 2. The pipeline, one rank per node. 4 mm voxels and a 48 x 48 x 32 grid keep every stage to
# seconds on 2 cores (both hosts share them).
tiny=(--config "$SOURCE_DIR/configs/default.yaml"
  data.data_dir="$WORK/cohort" data.store_dir="$WORK/store" run.output_dir="$WORK/run"
  data.test_sets=[tumor] cohort.lesion_sets=[tumor] cohort.voxel_mm=4.0
  cohort.n_train=3 cohort.n_val=1 cohort.n_test_healthy=1 cohort.n_test_per_set=1 cohort.n_val_per_set=1
  preprocess.image_dim=[48,48,32])
# The ranks talk over the data network, eth1; the host names (and slurmctld, slurmd) are on eth0.
net=(run.network_interface=eth1)
train=(train.steps=4 train.slices_per_step=2 train.patches_per_step=32 train.val_every=2
  train.val_patches=64 train.checkpoint_every=2 train.log_every=1 train.density_every=2 train.timeout_s=60)
evaluate=(eval.checkpoint=best "eval.sources=[patch2loc]" "eval.fusion_pairs=[]" eval.stride=4
  eval.median_size=3 eval.figure_slices=1)
nodes=(--nodes=2 --ntasks-per-node=1)
# Every wait below shares one bound, well inside CTest's 900 s: a test killed at the timeout
# cannot stop its cluster and hosts.
deadline=$((SECONDS + 600))
left() { echo $((deadline > SECONDS ? deadline - SECONDS : 1)); }

on_ctld timeout 120 srun -N1 -n1 "$P2L_BIN/p2l-make-cohort" "${tiny[@]}" >"$WORK/cohort.log" 2>&1 \
  || { tail -n 20 "$WORK/cohort.log"; fail "p2l-make-cohort failed"; }
pass "cohort generated"

pre=$(on_ctld sbatch --parsable "${nodes[@]}" --output="$WORK/preprocess.out" \
  "$SOURCE_DIR/slurm/preprocess.sbatch" "${tiny[@]}" "${net[@]}") || fail "sbatch preprocess.sbatch failed"
trn=$(on_ctld sbatch --parsable "${nodes[@]}" --dependency=afterok:"$pre" --kill-on-invalid-dep=yes \
  --output="$WORK/train.out" "$SOURCE_DIR/slurm/train.sbatch" "${tiny[@]}" "${net[@]}" "${train[@]}") \
  || fail "sbatch train.sbatch failed"
evl=$(on_ctld sbatch --parsable "${nodes[@]}" --dependency=afterok:"$trn" --kill-on-invalid-dep=yes \
  --output="$WORK/evaluate.out" "$SOURCE_DIR/slurm/evaluate.sbatch" "${tiny[@]}" "${net[@]}" "${evaluate[@]}") \
  || fail "sbatch evaluate.sbatch failed"

# Job $1 ran on both nodes (asked while slurmctld still remembers it: MinJobAge=300).
on_both_nodes() {
  local nodes
  nodes=$(on_ctld scontrol show job -o "$1" | grep -oP ' NodeList=\K\S+')
  [ "$nodes" = "h[1-2]" ] || fail "job $1 ran on '$nodes', not h[1-2]"
}

# Output file $1 has a line matching the extended regular expression $2 for rank 0 on h1 and for
# rank 1 on h2: RANK, HOST and IP in $2 become each rank's number, host and eth1 address.
each_rank_says() {
  local r want
  for r in 0 1; do
    want=${2//RANK/$r}
    want=${want//HOST/h$((r + 1))}
    want=${want//IP/198\\.18\\.1\\.1$((r + 1))}
    grep -qE -- "$want" "$1" || { tail -n 30 "$1"; fail "$(basename "$1"): no line matching $want"; }
  done
}

state=$(wait_job "$pre" "$(left)") || fail "preprocess job did not end: $state"
[ "$state" = COMPLETED ] || { tail -n 30 "$WORK/preprocess.out"; fail "preprocess job ended $state"; }
on_both_nodes "$pre"
each_rank_says "$WORK/preprocess.out" '^p2l-preprocess rank RANK/2 on host HOST: network interface eth1 IP$'
check_two_rank_store "$WORK/store"
pass "preprocess.sbatch on 2 nodes: rank 0 on h1, rank 1 on h2, over eth1; a shard of each rank in the store"

state=$(wait_job "$trn" "$(left)") || fail "train job did not end: $state"
[ "$state" = COMPLETED ] || { tail -n 30 "$WORK/train.out"; fail "train job ended $state"; }
on_both_nodes "$trn"
each_rank_says "$WORK/train.out" '^rank RANK/2 on host HOST: node RANK of 2, local rank 0 of 1, device cpu, backend gloo, [0-9]+ thread\(s\), network interface eth1 IP \(run\.network_interface\)$'
grep -q '^training on 2 rank(s), backend gloo' "$WORK/run/train.log" \
  || fail "p2l-train did not train on 2 ranks: $(head -n 3 "$WORK/run/train.log" 2>&1)"
grep -q "placement from the ranks' exchanged node identities: 2 node(s); rank 0 is local rank 0 of 1 on node 0" "$WORK/run/train.log" \
  || fail "the training ranks were not placed on 2 nodes: $(grep placement "$WORK/run/train.log")"
[ -s "$WORK/run/checkpoints/best.pt" ] && [ -s "$WORK/run/checkpoints/last.pt" ] \
  || fail "no best and last checkpoints: $(ls -R "$WORK/run" 2>&1 | head)"
pass "train.sbatch on 2 nodes: rank 0 on h1 (node 0), rank 1 on h2 (node 1), over eth1; best and last checkpoints"

state=$(wait_job "$evl" "$(left)") || fail "evaluate job did not end: $state"
[ "$state" = COMPLETED ] || { tail -n 30 "$WORK/evaluate.out"; fail "evaluate job ended $state"; }
on_both_nodes "$evl"
each_rank_says "$WORK/evaluate.out" '^p2l-evaluate rank RANK/2 on host HOST: network interface eth1 IP$'
for f in table.md results_per_volume.csv results_summary.csv; do
  [ -s "$WORK/run/report/$f" ] || fail "no report/$f: $(ls "$WORK/run/report" 2>&1)"
done
pass "evaluate.sbatch on 2 nodes: rank 0 on h1, rank 1 on h2, over eth1; report/table.md and the CSVs written"

# 3. p2l-sweep places a point on 2 nodes: a one-point sweep on the same cohort and store, with a
# cluster profile that gives each stage 2 nodes and one task per node; the sweep's overrides carry
# run.network_interface=eth1 into the point's config. The evaluation reads no autoencoder
# (eval.sources=[patch2loc]), so there is no train-ae job. p2l-sweep runs on h1, as every client.
if [ ! -x "$P2L_BIN/p2l-sweep" ]; then
  echo "SKIP: p2l-sweep on two nodes not run: $P2L_BIN/p2l-sweep is not built"
  exit 0
fi
sweep_start=$SECONDS
profile=$WORK/two-nodes.yaml
cat >"$profile" <<YAML
partition: local
stages:
  preprocess: {time: "00:10:00", nodes: 2, ntasks_per_node: 1, cpus_per_task: 1}
  train:      {time: "00:10:00", nodes: 2, ntasks_per_node: 1, cpus_per_task: 1}
  evaluate:   {time: "00:10:00", nodes: 2, ntasks_per_node: 1, cpus_per_task: 1}
  report:     {time: "00:10:00", ntasks: 1}
YAML
spec=$WORK/sweep.yaml
{
  echo "dir: $WORK/sweep"
  echo "config: $SOURCE_DIR/configs/default.yaml"
  echo "cluster: $profile"
  echo "overrides:"
  # tiny without --config FILE and run.output_dir (the sweep sets it: DIR/<point>).
  for o in "${tiny[@]:2}" "${net[@]}" "${train[@]}" "${evaluate[@]}"; do
    [ "${o%%=*}" = run.output_dir ] || echo "  - \"$o\""
  done
  echo "points:"
  echo "  - {train.lr: 1e-2}"
} >"$spec"
point=$WORK/sweep/lr-1e-2
on_ctld timeout 60 "$P2L_BIN/p2l-sweep" submit "$spec" >"$WORK/sweep-submit.log" 2>&1 \
  || { cat "$WORK/sweep-submit.log"; fail "p2l-sweep submit failed"; }
grep -qE '^  network_interface: "?eth1"? ' "$point/config.yaml" || fail "the point's config lacks run.network_interface: eth1"
sweep_job() { awk -F'\t' -v s="$1" '$2 == s {print $3}' "$WORK/sweep/jobs.tsv" | tail -1; }
stages=$(awk -F'\t' '{print $2}' "$WORK/sweep/jobs.tsv" | tr '\n' ' ')
[ "$stages" = "preprocess train evaluate report " ] || fail "the sweep submitted: $stages"
report_job=$(sweep_job report)
state=$(wait_job "$report_job" "$(left)") || { on_ctld "$P2L_BIN/p2l-sweep" status "$spec"; fail "the sweep's report job did not end: $state"; }
[ "$state" = COMPLETED ] || { tail -n 20 "$WORK"/sweep/logs/p2l-report-*; fail "the sweep's report job ended $state"; }
status=$(on_ctld timeout 60 "$P2L_BIN/p2l-sweep" status "$spec") || fail "p2l-sweep status failed: $status"
echo "$status"
grep -qE '^0 +lr-1e-2 +1e-2 +done +train [0-9]+_0, evaluate [0-9]+_0 +4/4 +[0-9.]+$' <<<"$status" \
  || fail "status does not show the point done with its jobs and 4/4 steps"
grep -qE '^1 of 1 points done, .*; preprocess done \(job [0-9]+\); report done \(job [0-9]+\)$' <<<"$status" \
  || fail "status does not show the sweep done"
sweep_train=$(sweep_job train) sweep_eval=$(sweep_job evaluate)
on_both_nodes "${sweep_train}_0"
on_both_nodes "${sweep_eval}_0"
each_rank_says "$WORK/sweep/logs/p2l-train-${sweep_train}_0.out" '^rank RANK/2 on host HOST: node RANK of 2, local rank 0 of 1, device cpu, backend gloo, [0-9]+ thread\(s\), network interface eth1 IP \(run\.network_interface\)$'
grep -q "placement from the ranks' exchanged node identities: 2 node(s); rank 0 is local rank 0 of 1 on node 0" "$point/train.log" \
  || fail "the point's training ranks were not placed on 2 nodes: $(grep placement "$point/train.log")"
each_rank_says "$WORK/sweep/logs/p2l-evaluate-${sweep_eval}_0.out" '^p2l-evaluate rank RANK/2 on host HOST: network interface eth1 IP$'
[ -s "$point/report/table.md" ] && [ -s "$WORK/sweep/report/sweep_table.md" ] \
  || fail "no point report or sweep table: $(ls "$point/report" "$WORK/sweep/report" 2>&1)"
pass "p2l-sweep on 2 nodes: the point's training and evaluation ran rank 0 on h1, rank 1 on h2 over eth1, status done, table written ($((SECONDS - sweep_start)) s)"
