#!/usr/bin/env bash
# The load test of docs/SCALING.md: a generated cohort at 1 mm on the published grid
# (192 x 192 x 100), 200 healthy volumes (190 training, 10 validation per fold) and 200 tumour
# test volumes, run through every stage on NP ranks of this machine:
#   cohort       p2l-make-cohort: volumes/s and the size of the NIfTI files
#   preprocess   p2l-preprocess on NP ranks: volumes/s and the store's size
#   train        bench/train_memory.sh: each rank's peak RSS/PSS, the node's peak, patches/s,
#                with the training split held per rank and once per node
#   evaluate     p2l-evaluate on NP ranks for 200, 50 and 100 test volumes (the first 50 and 100
#                of tumor_test as sets t50 and t100, their heatmaps linked from the first run):
#                each rank's peak RSS (GNU time's %M), the volumes scored and the seconds; the
#                peak must be flat in the test volumes.
# Each stage is skipped when its result is in WORK/results.json already, so a rerun resumes;
# the final line prints the whole JSON. It needs about 6 GB of disk under WORK and about an hour
# on 2 cores. Usage: bench/load_test.sh [WORK] [NP]   (P2L_BUILD_DIR: the build, default build/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/p2l_load}"; np="${2:-2}"
bin="${P2L_BUILD_DIR:-$root/build}/bin"
launch() { bash "$root/scripts/mpi-launch.sh" "$np" "$@"; }
mkdir -p "$work"
results="$work/results.json"
[ -f "$results" ] || echo '{}' > "$results"
have() { python3 -c "import json,sys; sys.exit(0 if '$1' in json.load(open('$results')) else 1)"; }
record() {  # $1 = key, $2 = JSON value
  python3 - "$results" "$1" "$2" <<'PY'
import json, os, sys
path, key, value = sys.argv[1:]
r = json.load(open(path)); r[key] = json.loads(value)
open(path + ".tmp", "w").write(json.dumps(r, indent=1)); os.replace(path + ".tmp", path)
PY
}
now() { date +%s.%N; }
since() { python3 -c "print(round($(now) - $1, 1))"; }

config="$work/load.yaml"
cat > "$config" <<YAML
run: {output_dir: $work/run, seed: 3141, threads: 1}
data: {data_dir: $work/cohort, store_dir: $work/store, modality: t2, test_sets: [tumor]}
cohort: {voxel_mm: 1.0, n_train: 190, n_val: 10, n_test_healthy: 10, n_test_per_set: 200, n_val_per_set: 10, lesion_sets: [tumor]}
preprocess: {image_dim: [192, 192, 100]}
train: {patch_fraction: 0.125, slices_per_step: 16, patches_per_step: 512, precision: bf16, steps: 20, val_every: 20,
        val_patches: 512, checkpoint_every: 20, log_every: 1}
eval: {stride: 32, median_size: 7, batch_size: 2048, figure_slices: 0, checkpoint: last,
       thresholds: [best_dice_per_volume, validation_dice, healthy_quantile],
       sources: [patch2loc, zscore], fusion_pairs: [], select: []}
YAML

if ! have cohort; then
  t=$(now)
  "$bin/p2l-make-cohort" --config "$config" > "$work/cohort.log" 2>&1
  s=$(since "$t")
  n=$(find "$work/cohort" -name '*_t2.nii.gz' | wc -l)
  record cohort "{\"volumes\": $n, \"seconds\": $s, \"volumes_per_s\": $(python3 -c "print(round($n / $s, 3))"),
                 \"nifti_bytes\": $(du -sb "$work/cohort" | cut -f1)}"
fi

# t50 and t100: the first 50 and 100 tumour test volumes, with the same validation split.
for n in 50 100; do
  splits="$work/cohort/splits"
  head -n $((n + 1)) "$splits/tumor_test.csv" > "$splits/t${n}_test.csv"
  cp "$splits/tumor_val.csv" "$splits/t${n}_val.csv"
done

if ! have preprocess; then
  rm -rf "$work/store"
  t=$(now)
  launch "$bin/p2l-preprocess" --config "$config" > "$work/preprocess.log" 2>&1
  s=$(since "$t")
  n=$(python3 -c "import json; m=json.load(open('$work/store/manifest.json')); print(sum(len(v) for v in m['splits'].values()))")
  record preprocess "{\"ranks\": $np, \"volumes\": $n, \"seconds\": $s, \"volumes_per_s\": $(python3 -c "print(round($n / $s, 3))"),
                     \"store_bytes\": $(du -sb "$work/store" | cut -f1)}"
  # The subsets join the store (the tumour split and the others are kept).
  launch "$bin/p2l-preprocess" --config "$config" data.test_sets=[t50,t100] > "$work/preprocess_subsets.log" 2>&1
fi

if ! have train; then
  r=$(P2L_BUILD_DIR="${P2L_BUILD_DIR:-$root/build}" bash "$root/bench/train_memory.sh" "$config" "$np" 30 | tail -1)
  record train "$r"
fi

if [ ! -f "$work/run/checkpoints/last.pt" ]; then
  launch "$bin/p2l-train" --config "$config" > "$work/train.log" 2>&1
fi

for set in tumor t50 t100; do
  have "evaluate_$set" && continue
  # t50 and t100 hold the same volumes as tumor_test: their heatmaps are the tumour run's (hard
  # links), so these runs time the scoring; the peak memory of computing a heatmap is one volume's.
  if [ "$set" != tumor ] && [ -d "$work/run/heatmaps/tumor_test" ]; then
    rm -rf "$work/run/heatmaps/${set}_test" && cp -al "$work/run/heatmaps/tumor_test" "$work/run/heatmaps/${set}_test"
  fi
  t=$(now)
  # Each rank under GNU time: its peak resident set in peak-<set>.<rank>.
  launch bash -c '/usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$work/peak-$set" \
    "$bin/p2l-evaluate" --config "$config" data.test_sets="[$set]" > "$work/evaluate_$set.out" 2> "$work/evaluate_$set.log"
  s=$(since "$t")
  rows=$(python3 -c "
import csv
rows = [r for r in csv.DictReader(open('$work/run/report/results_per_volume.csv')) if r['set'] == '$set']
print(len({r['id'] for r in rows}))")
  peaks=$(for r in $(seq 0 $((np - 1))); do tail -1 "$work/peak-$set.$r"; done | paste -sd, -)
  record "evaluate_$set" "{\"ranks\": $np, \"test_volumes\": $rows, \"seconds\": $s, \"peak_rss_kib_per_rank\": [$peaks]}"
done

record date "\"$(date -u +%F)\""
python3 -c "import json; print(json.dumps(json.load(open('$results'))))"
