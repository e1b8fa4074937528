#!/usr/bin/env python3
"""Projections of docs/SCALING.md from the load test's measurements (bench/load_test.sh):

  python3 bench/scaling_projection.py RESULTS.json [--markdown]

Measured (RESULTS.json): preprocessing volumes/s on its ranks and the store's bytes per volume;
training's peak memory per rank and per node with the split held per rank or once per node;
evaluation's peak RSS per rank for 50, 100 and 200 test volumes.

Computed from array sizes (the store keeps each volume as float32 image, uint8 mask and, for
diseased volumes, uint8 segmentation, on the preprocessed grid):
  training data of one volume = H x W x D x (4 + 1) bytes (image and mask);
  a volume held by evaluation's rank 0 (healthy reference, <set>_val) = H x W x D x (4 + 4 + 1 + 1)
  bytes (the raw error and variance maps, mask, segmentation; the scan is not held).

Projected linearly: preprocessing time = volumes / (volumes/s per rank x ranks), assuming the
file system keeps up (the load test ran on one node's local disk); store size = volumes x
bytes per volume; evaluation's rank 0 = the measured peak + the held volumes beyond the load
test's x bytes per held volume.
"""
import argparse
import json

GRID = (192, 192, 100)  # the published grid, as the load test's
VOXELS = GRID[0] * GRID[1] * GRID[2]
TRAIN_BYTES = VOXELS * (4 + 1)
HELD_BYTES = VOXELS * (4 + 4 + 1 + 1)
MIB, GIB = 2.0**20, 2.0**30

# The published sets (SPEC section 9, shared/GPU.md): test volumes per set; IXI's training fold.
PUBLISHED_TEST = {"BraTS21": 1250, "ATLAS v2": 654, "WMH": 59, "MSLUB": 29}
IXI_TRAIN = 356
# Validation and healthy reference volumes evaluation holds: the load test held 10 + 10; the
# published <set>_val splits are assumed at 10 % of each test set, the reference at 30 volumes.
LOAD_TEST_HELD = 20


def projections(r):
    pre = r["preprocess"]
    per_rank = pre["volumes_per_s"] / pre["ranks"]
    store_per_volume = pre["store_bytes"] / pre["volumes"]
    evals = {k: v for k, v in r.items() if k.startswith("evaluate_")}
    peaks = {v["test_volumes"]: max(v["peak_rss_kib_per_rank"]) / 1024 for v in evals.values()}
    peak0 = {v["test_volumes"]: v["peak_rss_kib_per_rank"][0] / 1024 for v in evals.values()}
    rows = []

    def cohort(name, test, train):
        held = round(0.1 * test) + 30
        volumes = test + round(0.1 * test) + train + 30
        rank0 = max(peak0.values()) + max(0, held - LOAD_TEST_HELD) * HELD_BYTES / MIB
        rows.append({
            "cohort": name,
            "volumes": volumes,
            "preprocess_hours_2_ranks": volumes / (per_rank * 2) / 3600,
            "preprocess_hours_64_ranks": volumes / (per_rank * 64) / 3600,
            "store_gib": volumes * store_per_volume / GIB,
            "train_data_gib_per_node_shared": train * TRAIN_BYTES / GIB,
            "train_data_gib_per_node_4_ranks_held": 4 * train * TRAIN_BYTES / GIB,
            "eval_rank0_peak_gib": rank0 / 1024,
            "eval_held_volumes": held,
        })

    test_all = sum(PUBLISHED_TEST.values())
    cohort("published: BraTS21 alone", PUBLISHED_TEST["BraTS21"], IXI_TRAIN)
    cohort("published: all four test sets", test_all, IXI_TRAIN)
    cohort("10x: all four test sets and IXI, ten times", 10 * test_all, 10 * IXI_TRAIN)
    flat = {"test_volumes": sorted(peaks), "peak_rss_mib_max_rank": [round(peaks[k]) for k in sorted(peaks)],
            "growth_mib": round(peaks[max(peaks)] - peaks[min(peaks)])}
    return {"preprocess_volumes_per_s_per_rank": per_rank, "store_mib_per_volume": store_per_volume / MIB,
            "train_mib_per_volume": TRAIN_BYTES / MIB, "held_mib_per_volume": HELD_BYTES / MIB,
            "evaluation_flat": flat, "cohorts": rows}


def markdown(p):
    out = ["| cohort | volumes | preprocess, 2 ranks | preprocess, 64 ranks | store | training data per node (shared) | "
           "the same held by 4 ranks | evaluation rank 0 peak (held volumes) |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for c in p["cohorts"]:
        out.append(f"| {c['cohort']} | {c['volumes']:,} | {c['preprocess_hours_2_ranks']:.1f} h | "
                   f"{c['preprocess_hours_64_ranks'] * 60:.0f} min | {c['store_gib']:.0f} GiB | "
                   f"{c['train_data_gib_per_node_shared']:.1f} GiB | {c['train_data_gib_per_node_4_ranks_held']:.1f} GiB | "
                   f"{c['eval_rank0_peak_gib']:.1f} GiB ({c['eval_held_volumes']}) |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    p = projections(json.load(open(a.results)))
    print(markdown(p) if a.markdown else json.dumps(p, indent=1))


if __name__ == "__main__":
    main()
