#!/usr/bin/env python3
"""Scaling model for data-parallel Patch2Loc training (docs/PERFORMANCE.md): per-step compute
time against the gradient all-reduce of a ring over N GPUs, with the all-reduce overlapped with
the backward pass (GradientReducer buckets) except the last bucket.

  python3 bench/scaling_model.py [--compute-s T] [--bench-json FILE] [--gpus 8 64 512] [--markdown]

Inputs (every one a flag with the default shown by --help):
  compute time of one step on one device: --compute-s, or the step_s of a bench_patch2loc train
  result (--bench-json: a JSON file with {"train": {"ours_1_process": {"step_s": ...}}} as
  bench/compare_reference.py writes, or bench_patch2loc's own line);
  gradient bytes: parameters x bytes per value (11,848,068 parameters, fp32 = 4 bytes);
  links: intra-node bandwidth and latency (NVLink), inter-node bandwidth and latency (one
  200 Gb/s InfiniBand port per node shared by its GPUs), GPUs per node;
  the reducer: --buckets equal buckets, or the real ones (--bucket-sizes-mb, in the order
  backward fills them), when its first bucket is ready (--first-bucket-ready, a share of
  backward), and --no-overlap for train.overlap_allreduce=false.

Ring all-reduce over N ranks: 2 (N - 1) / N x bytes / slowest link + 2 (N - 1) x latency; a
pipelined (double binary) tree: 2 x bytes / slowest link + 2 ceil(log2 N) x latency. "best"
takes the faster, as NCCL's tuner does. The slowest link is NVLink inside one node and the
node's network port across nodes (a ring crosses each node boundary once). Weak scaling keeps each GPU's batch (the step time stays the compute
time); strong scaling splits one published step over N GPUs (compute / N).
"""
import argparse
import json
import math

PARAMETERS = 11848068  # Patch2LocNet; tests/model/test_model_patch2loc.cpp asserts the count


def allreduce_seconds(n, nbytes, gpus_per_node, intra, inter, algorithm):
    if n <= 1:
        return 0.0
    bw, lat = inter if n > gpus_per_node else intra
    ring = 2.0 * (n - 1) / n * nbytes / bw + 2.0 * (n - 1) * lat
    tree = 2.0 * nbytes / bw + 2.0 * math.ceil(math.log2(n)) * lat
    return {"ring": ring, "tree": tree, "best": min(ring, tree)}[algorithm]


def step(compute, allreduce, backward_share, last_share, overlap=True, first_ready=0.0):
    """Step time with the all-reduce overlapped with backward, except its last bucket (its share
    of the bytes: last_share); the overlap starts when the first bucket is ready, after the share
    first_ready of backward. Without overlap the whole all-reduce follows backward."""
    if not overlap:
        return compute + allreduce
    last = allreduce * last_share
    hidden = min(allreduce - last, backward_share * compute * (1.0 - first_ready))
    return compute + allreduce - hidden


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--compute-s", type=float, help="compute time of one training step on one device (s)")
    ap.add_argument("--bench-json", help="take the compute time from a benchmark result")
    ap.add_argument("--bytes-per-value", type=int, default=4, help="4: fp32 gradients, 2: bf16")
    ap.add_argument("--gpus", type=int, nargs="+", default=[1, 8, 64, 512])
    ap.add_argument("--gpus-per-node", type=int, default=8)
    ap.add_argument("--intra-gbs", type=float, default=370.0, help="NVLink all-reduce bus bandwidth, GB/s")
    ap.add_argument("--intra-latency-us", type=float, default=5.0)
    ap.add_argument("--inter-gbps", type=float, default=200.0, help="network port per node, Gb/s")
    ap.add_argument("--inter-latency-us", type=float, default=10.0)
    ap.add_argument("--backward-share", type=float, default=2.0 / 3.0, help="share of a step spent in backward")
    ap.add_argument("--buckets", type=int, default=2, help="all-reduce buckets per step (train.bucket_mb), of equal size")
    ap.add_argument("--bucket-sizes-mb", type=float, nargs="+",
                    help="the reducer's buckets in the order backward fills them (MB; bench/slow_link.sh prints them "
                         "for a train.bucket_mb): the last one's share of the bytes waits for backward's end; replaces --buckets")
    ap.add_argument("--first-bucket-ready", type=float, default=0.0,
                    help="share of backward that has passed when the first bucket is ready (its gradients are the last "
                         "layers'; 0: at once; docs/SCALING.md inferred about 0.5 for 25 MiB buckets on the CPU)")
    ap.add_argument("--overlap", action=argparse.BooleanOptionalAction, default=True,
                    help="train.overlap_allreduce: --no-overlap starts the all-reduce after backward")
    ap.add_argument("--algorithm", choices=["ring", "tree", "best"], default="best")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    compute = a.compute_s
    if compute is None:
        if not a.bench_json:
            ap.error("give --compute-s or --bench-json")
        with open(a.bench_json) as f:
            r = json.load(f)
        compute = r["train"]["ours_1_process"]["step_s"] if "train" in r else r["step_s"]
    nbytes = PARAMETERS * a.bytes_per_value
    intra = (a.intra_gbs * 1e9, a.intra_latency_us * 1e-6)
    inter = (a.inter_gbps / 8 * 1e9, a.inter_latency_us * 1e-6)
    last_share = a.bucket_sizes_mb[-1] / sum(a.bucket_sizes_mb) if a.bucket_sizes_mb else 1.0 / a.buckets
    rows = []
    for n in a.gpus:
        ar = allreduce_seconds(n, nbytes, a.gpus_per_node, intra, inter, a.algorithm)
        weak = step(compute, ar, a.backward_share, last_share, a.overlap, a.first_bucket_ready)
        strong = step(compute / n, ar, a.backward_share, last_share, a.overlap, a.first_bucket_ready)
        # waited: the part of the step spent waiting for the all-reduce (train_log's allreduce_seconds).
        rows.append({"gpus": n, "allreduce_ms": ar * 1e3, "waited_allreduce_ms": (weak - compute) * 1e3, "weak_step_ms": weak * 1e3,
                     "weak_efficiency": compute / weak, "strong_step_ms": strong * 1e3,
                     "strong_speedup": compute / strong, "strong_efficiency": compute / strong / n})
    out = {"parameters": PARAMETERS, "allreduce_bytes": nbytes, "compute_s": compute, "algorithm": a.algorithm,
           "overlap": a.overlap, "last_bucket_share": last_share, "rows": rows,
           "links": {"intra_GBps": a.intra_gbs, "inter_Gbps": a.inter_gbps, "gpus_per_node": a.gpus_per_node}}
    if not a.markdown:
        print(json.dumps(out, indent=1))
        return
    print("| GPUs | all-reduce (ms) | weak: step (ms) | weak: efficiency | strong: step (ms) | strong: speed-up | strong: efficiency |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %d | %.2f | %.1f | %.0f %% | %.2f | %.1fx | %.0f %% |" % (
            r["gpus"], r["allreduce_ms"], r["weak_step_ms"], 100 * r["weak_efficiency"], r["strong_step_ms"],
            r["strong_speedup"], 100 * r["strong_efficiency"]))


if __name__ == "__main__":
    main()
