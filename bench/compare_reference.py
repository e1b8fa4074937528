#!/usr/bin/env python3
"""Patch2Loc C++ against the PyTorch reference (bench/reference/patch2loc_reference.py), in one
run, with the same threads, patch size and batch, and the same PyTorch version as the LibTorch we
link (the project's .venv). The reference runs eager and through torch.compile; each ratio is
ours over the faster of the two. Prints one JSON object with the ratios.

  .venv/bin/python bench/compare_reference.py [--build build] [--threads 2] [--patch 12]
                   [--batch 1024] [--steps 8] [--strides 1 2 4] [--no-compile]

Training: patches/s of one step (forward, beta-NLL, backward, Adam) on a fixed batch, median
step; ours as 1 process x `threads` threads and as 2 Gloo ranks x 1 thread (bench_train: the
ranks are threads of one process, the gradient all-reduce included; the main job runs the same
layout as 2 mpirun processes), each rank on half the batch, against the reference with
`threads` threads. Inference: seconds for the whole heatmap of one 96 x 96 x 80 volume (every stride-s
grid point through the network, upsampling, 7^3 median filter, mask), peak memory of each
process, and the largest difference between our heatmap and the reference's on the same
weights (fp32). Each measurement is its own process, so peak memory is per measurement.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--patch", type=int, default=12)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--strides", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--no-compile", action="store_true", help="leave out the torch.compile reference")
    a = ap.parse_args()
    modes = {"eager": []} if a.no_compile else {"eager": [], "compiled": ["--compile"]}
    ours = os.path.join(a.build, "bin", "bench_patch2loc")
    ref = [sys.executable, os.path.join(HERE, "reference", "patch2loc_reference.py")]
    common = ["--threads", str(a.threads)]
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))

    shape = ["--batch", str(a.batch), "--patch", str(a.patch), "--steps", str(a.steps)]
    train = {"reference_" + m: run_json(ref + ["train"] + common + shape + flag, env) for m, flag in modes.items()}
    train["ours_1_process"] = run_json([ours, "train"] + common + shape, env)
    train["ours_1_process_bf16"] = run_json([ours, "train"] + common + shape + ["--precision", "bf16"], env)
    ranks = run_json([os.path.join(a.build, "bin", "bench_train"), str(a.batch // 2), str(a.steps)], env)
    train["ours_ranks"] = {"ranks": 2, "threads_per_rank": 1, **ranks["two_ranks"]}
    r = max(train["reference_" + m]["patches_per_s"] for m in modes)  # the faster reference
    ratios = {"train_1_process": train["ours_1_process"]["patches_per_s"] / r,
              "train_1_process_bf16": train["ours_1_process_bf16"]["patches_per_s"] / r,
              "train_ranks": train["ours_ranks"]["patches_per_s"] / r}

    infer = {}
    with tempfile.TemporaryDirectory(prefix="p2l_compare_") as d:
        for s in a.strides:
            mine = run_json([ours, "infer"] + common + ["--patch", str(a.patch), "--stride", str(s), "--out", d], env)
            entry = {"ours": mine}
            for m, flag in modes.items():
                entry["reference_" + m] = run_json(ref + ["infer"] + common + ["--stride", str(s), "--dir", d] + flag, env)
            infer["stride_%d" % s] = entry
            fastest = min(entry["reference_" + m]["seconds_per_volume"] for m in modes)
            ratios["infer_stride_%d" % s] = fastest / mine["seconds_per_volume"]
    worst = max(v["reference_" + m]["max_abs_diff_heatmap"] for v in infer.values() for m in modes)
    import torch
    print(json.dumps({"torch": torch.__version__, "reference_modes": list(modes), "threads": a.threads, "patch": a.patch, "batch": a.batch, "train": train,
                      "infer": infer, "ratios_ours_over_reference": ratios,
                      "max_abs_heatmap_difference": worst}, indent=1))


if __name__ == "__main__":
    main()
