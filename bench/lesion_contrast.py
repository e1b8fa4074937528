#!/usr/bin/env python3
"""Why a patch size sees a lesion or not (docs/EVALUATION.md "Multi-scale"): for each scale of a
multi-scale evaluation and each lesion set's test volumes, on the input grid where the cohort's
segmentations are,
  - lesion contrast: (mean heatmap in the lesion - mean in the rest of the brain) / the rest's std;
  - the localisation error component against the distance to the lesion (voxels, bins);
and a PNG per set: the slice with the most lesion of its first test volume, the scan with the
lesion outlined, then each scale's heatmap (each scaled to its own 99th brain percentile).

  bench/lesion_contrast.py RUN_DIR COHORT_DIR [--sets ms,heterotopia] [--json out.json] [--png-dir DIR]
RUN_DIR: the evaluation's run folder (heatmaps/, scales/<source>/heatmaps/). numpy and Pillow
only (the project's .venv).
"""
import argparse
import glob
import gzip
import json
import os
import struct

import numpy as np
from PIL import Image

DTYPES = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 64: np.float64, 256: np.int8, 512: np.uint16}
BINS = [(0, 0, "inside"), (1, 2, "1-2"), (3, 5, "3-5"), (6, 10, "6-10"), (11, 10**9, ">10")]


def read_nifti(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    dim = struct.unpack_from("<8h", raw, 40)
    dtype = DTYPES[struct.unpack_from("<h", raw, 70)[0]]
    off = int(struct.unpack_from("<f", raw, 108)[0])
    slope, inter = struct.unpack_from("<2f", raw, 112)
    n = dim[1] * dim[2] * dim[3]
    v = np.frombuffer(raw, dtype=dtype, count=n, offset=off).astype(np.float64)
    if slope not in (0.0, 1.0) or inter != 0.0:
        v = v * (slope if slope != 0 else 1.0) + inter
    return v.reshape(dim[3], dim[2], dim[1])  # z, y, x


def chamfer_distance(seg):
    """Distance in voxels (chessboard, by repeated dilation) to the nearest lesion voxel, up to 11."""
    d = np.full(seg.shape, 11, dtype=np.int32)
    front = seg > 0
    d[front] = 0
    for step in range(1, 11):
        grown = front.copy()
        for ax in range(3):
            grown |= np.roll(front, 1, ax) | np.roll(front, -1, ax)
        d[grown & ~front] = step
        front = grown
    return d


def scales(run):
    out = [("patch2loc", os.path.join(run, "heatmaps"))]
    for d in sorted(glob.glob(os.path.join(run, "scales", "*", "heatmaps"))):
        out.append((os.path.basename(os.path.dirname(d)), d))
    return out


def colour(v):
    v = np.clip(v, 0, 1)
    return np.stack([np.clip(3 * v, 0, 1), np.clip(3 * v - 1, 0, 1), np.clip(3 * v - 2, 0, 1)], -1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("cohort")
    ap.add_argument("--sets", default="ms,heterotopia,tumor")
    ap.add_argument("--json")
    ap.add_argument("--png-dir")
    a = ap.parse_args()
    result = {}
    for s in a.sets.split(","):
        segs = sorted(glob.glob(os.path.join(a.cohort, "Test", s, "seg", "*_seg.nii.gz")))
        per_scale = {}
        for name, hdir in scales(a.run):
            contrast, err_bins = [], {b[2]: [] for b in BINS}
            for seg_path in segs:
                vid = os.path.basename(seg_path)[: -len("_seg.nii.gz")]
                hm = os.path.join(hdir, f"{s}_test", vid + ".nii.gz")
                if not os.path.exists(hm):
                    continue
                seg, h = read_nifti(seg_path) > 0, read_nifti(hm)
                err = read_nifti(os.path.join(hdir, f"{s}_test", vid + "_error.nii.gz"))
                brain = (h != 0) | seg
                rest = brain & ~seg
                if seg.sum() == 0 or rest.sum() == 0:
                    continue
                contrast.append(float((h[seg].mean() - h[rest].mean()) / (h[rest].std() + 1e-12)))
                dist = chamfer_distance(seg)
                for lo, hi, label in BINS:
                    m = brain & (dist >= lo) & (dist <= hi)
                    if m.any():
                        err_bins[label].append(float(err[m].mean()))
            per_scale[name] = {"lesion_contrast_mean": float(np.mean(contrast)) if contrast else None,
                               "volumes": len(contrast),
                               "error_by_distance": {k: float(np.mean(v)) if v else None for k, v in err_bins.items()}}
        result[s] = per_scale
        if a.png_dir and segs:
            os.makedirs(a.png_dir, exist_ok=True)
            seg_path = segs[0]
            vid = os.path.basename(seg_path)[: -len("_seg.nii.gz")]
            seg = read_nifti(seg_path) > 0
            k = int(np.argmax(seg.sum(axis=(1, 2))))
            t1 = glob.glob(os.path.join(a.cohort, "Test", s, "t*", vid + "_t*.nii.gz"))
            tiles = []
            if t1:
                img = read_nifti(t1[0])[k]
                img = img / (np.percentile(img, 99.5) + 1e-12)
                rgb = np.repeat(np.clip(img, 0, 1)[..., None], 3, -1)
                edge = seg[k] & ~(np.roll(seg[k], 1, 0) & np.roll(seg[k], -1, 0) & np.roll(seg[k], 1, 1) & np.roll(seg[k], -1, 1))
                rgb[edge] = [0, 1, 0]
                tiles.append(rgb)
            for name, hdir in scales(a.run):
                hm = os.path.join(hdir, f"{s}_test", vid + ".nii.gz")
                if os.path.exists(hm):
                    h = read_nifti(hm)
                    top = np.percentile(h[h != 0], 99) if (h != 0).any() else 1
                    tiles.append(colour(h[k] / (top + 1e-12)))
            strip = np.concatenate([t[::-1] for t in tiles], axis=1)
            png = os.path.join(a.png_dir, f"scales_{s}_{vid}_z{k}.png")
            Image.fromarray((strip * 255).astype(np.uint8)).resize((strip.shape[1] * 3, strip.shape[0] * 3), Image.NEAREST).save(png)
            result[s]["figure"] = png
    print(json.dumps(result, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
