#!/usr/bin/env python3
"""The PyTorch reference of Patch2Loc, written the straightforward way the published code is:
torchvision's resnet18 with a 1-channel 3x3 stem and no FC, the sinusoidal slice embedding, two
MLP heads, the beta-NLL loss and Adam; stride-s inference with F.unfold over each slice, bilinear
upsampling of the score grid, a 7^3 median filter and the brain mask (SPEC sections 4 to 6).

The project's .venv torch and torchvision (scripts/python-requirements.txt), the same LibTorch
the C++ code links. --compile runs the network through torch.compile (Inductor) instead of eager;
compilation happens in the warm-up, outside the timings. Prints one JSON line.
  patch2loc_reference.py train --threads T --batch B --patch P --steps N [--compile] [--device cuda]
  patch2loc_reference.py infer --threads T --dir DIR --stride S [--compile] [--device cuda] [--half]
(DIR from bench_patch2loc infer). On CUDA the timings synchronise the device; --half runs
inference in fp16 as the published code does (model.half()).
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def head(hidden=(512, 128, 64, 32), inp=512):
    m = nn.Module()
    layers = []
    for w in hidden:
        layers += [nn.Linear(inp, w), nn.BatchNorm1d(w), nn.ReLU()]
        inp = w
    m.hidden = nn.Sequential(*layers)
    m.out = nn.Linear(inp, 2)
    m.forward = lambda x: m.out(m.hidden(x))
    return m


class Patch2Loc(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = torchvision.models.resnet18(weights=None)
        self.encoder.conv1 = nn.Conv2d(1, 64, 3, stride=2, padding=3, bias=False)
        self.encoder.fc = nn.Identity()
        self.mean_head = head()
        self.logvar_head = head()
        with torch.no_grad():
            self.mean_head.out.bias.fill_(50.0)

    def forward(self, x, cond):
        f = self.encoder(x)
        i = torch.arange(256, dtype=torch.float32, device=cond.device)
        freq = torch.exp(i * (-2.0 * math.log(10000.0) / 512))
        a = cond.reshape(-1, 1) * freq
        emb = torch.stack([torch.sin(a), torch.cos(a)], 2).reshape(-1, 512)
        f = f + emb
        return self.mean_head(f), self.logvar_head(f)


def beta_nll(mu, logvar, t, beta=0.5):
    s2 = logvar.exp()
    nll = 0.5 * ((t - mu) ** 2 / s2 + logvar)
    return (nll * s2.detach() ** beta).sum(1).mean()


def our_name(name):
    """torchvision parameter names -> the C++ model's (encoder.stem, encoder.stages.<k>...)."""
    if not name.startswith("encoder."):
        return name
    rest = name[len("encoder."):]
    if rest.startswith("conv1."):
        return "encoder.stem." + rest[len("conv1."):]
    if rest.startswith("bn1."):
        return "encoder.stem_bn." + rest[len("bn1."):]
    layer, block, tail = rest.split(".", 2)
    k = 2 * (int(layer[len("layer"):]) - 1) + int(block)
    return "encoder.stages.%d.%s" % (k, tail)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_gpu_mb(device):
    return torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else 0.0


def train(args):
    torch.manual_seed(3141)
    dev = torch.device(args.device)
    net = Patch2Loc().to(dev)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    if args.compile:
        net = torch.compile(net)
    p = args.patch
    patches = torch.rand(args.batch, 1, p, p, device=dev)
    targets = torch.rand(args.batch, 2, device=dev) * 100
    cond = torch.rand(args.batch, device=dev) * 100
    times = []
    warm = 2 if args.compile else 1  # compiled: forward and backward graphs, then a settled step
    for s in range(args.steps + warm):
        sync(dev)
        t0 = time.perf_counter()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=args.bf16):
            mu, logvar = net(patches, cond)
        loss = beta_nll(mu.float(), logvar.float(), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sync(dev)
        if s >= warm:
            times.append(time.perf_counter() - t0)
    step = sorted(times)[len(times) // 2]
    return {"patches_per_s": args.batch / step, "step_s": step, "peak_rss_mb": peak_mb(),
            "device": str(dev), "precision": "bf16" if args.bf16 else "fp32", "peak_gpu_mb": peak_gpu_mb(dev)}


def upsample(grid, stride, h, w):
    """Bilinear between grid points g * stride, clamped past the last one (ScoreGrid.hpp)."""
    def axis(n, size):
        pix = torch.arange(size, device=grid.device)
        g0 = torch.clamp(pix // stride, max=n - 1)
        g1 = torch.clamp(g0 + 1, max=n - 1)
        f = torch.where(g1 == g0, torch.zeros(size, device=grid.device), (pix - g0 * stride).float() / stride)
        return g0, g1, f
    y0, y1, fy = axis(grid.shape[0], h)
    x0, x1, fx = axis(grid.shape[1], w)
    fy, fx = fy[:, None], fx[None, :]
    a, b = grid[y0][:, x0], grid[y0][:, x1]
    c, d = grid[y1][:, x0], grid[y1][:, x1]
    return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d)


def median_filter(vol, size, chunk=4):
    """Median over the size^3 cube, zero-padded outside the volume."""
    r = size // 2
    padded = F.pad(vol, (r, r, r, r, r, r))
    out = torch.empty_like(vol)
    for z0 in range(0, vol.shape[0], chunk):
        z1 = min(vol.shape[0], z0 + chunk)
        win = padded[z0:z1 + 2 * r].unfold(0, size, 1).unfold(1, size, 1).unfold(2, size, 1)
        out[z0:z1] = win.reshape(*win.shape[:3], -1).median(-1).values
    return out


def heatmap(net, image, mask, p, stride, min_fraction=0.2, batch=2048, median=7):
    """image, mask [Z, H, W]. Returns (raw score map, filtered heatmap), both [Z, H, W]."""
    Z, H, W = image.shape
    dev, dtype = image.device, next(net.parameters()).dtype
    score = torch.zeros(Z, H, W, device=dev)
    half = p // 2
    for z in range(Z):
        m = mask[z].float()
        if m.sum() == 0:
            continue
        # Patch centred at (y, x) spans y - p/2 .. y - p/2 + p - 1: pad p/2 before, p - p/2 - 1 after.
        pad = (half, p - half - 1, half, p - half - 1)
        img = F.pad((image[z] * m)[None, None], pad)
        msk = F.pad(m[None, None], pad)
        cols = F.unfold(img, p, stride=1)[0].T.reshape(H, W, p * p)[::stride, ::stride]
        mcols = F.unfold(msk, p, stride=1)[0].T.reshape(H, W, p * p)[::stride, ::stride]
        gh, gw = cols.shape[:2]
        cols, frac = cols.reshape(-1, 1, p, p), mcols.reshape(-1, p * p).mean(1)
        ys = (torch.arange(gh, device=dev) * stride).repeat_interleave(gw).float()
        xs = (torch.arange(gw, device=dev) * stride).repeat(gh).float()
        keep = torch.nonzero(frac >= min_fraction).flatten()
        grid = torch.zeros(gh * gw, device=dev)
        for b0 in range(0, len(keep), batch):
            k = keep[b0:b0 + batch]
            cond = torch.full((len(k),), 100.0 * z / Z, device=dev, dtype=dtype)
            mu, logvar = net(cols[k].to(dtype), cond)
            mu, logvar = mu.float(), logvar.float()
            t = torch.stack([ys[k] * 100.0 / H, xs[k] * 100.0 / W], 1)
            grid[k] = torch.log(((mu - t) ** 2).sum(1) + 1e-10) + logvar.mean(1)
        score[z] = upsample(grid.reshape(gh, gw), stride, H, W)
    filtered = median_filter(score, median) * mask.float()
    return score, filtered


def infer(args):
    dev = torch.device(args.device)
    net = Patch2Loc()
    state = torch.load(args.dir + "/model.pt", weights_only=False)  # written by bench_patch2loc
    own = dict(net.state_dict())
    with torch.no_grad():
        for name, t in own.items():
            src = state[our_name(name)]
            t.copy_(src.to(t.dtype).reshape(t.shape))
    net.eval()
    net = net.to(dev).half() if args.half else net.to(dev)
    if args.compile:
        net = torch.compile(net, dynamic=True)  # one graph for every batch size
    vol = torch.load(args.dir + "/volume.pt", weights_only=False)
    image, mask = vol["image"].float().to(dev), vol["mask"].to(dev)
    p = int(vol["patch"].item())
    with torch.no_grad():
        heatmap(net, image[:3], mask[:3], p, args.stride)  # warm-up (and compilation)
        sync(dev)
        t0 = time.perf_counter()
        score, filtered = heatmap(net, image, mask, p, args.stride)
        sync(dev)
        seconds = time.perf_counter() - t0
    ours = torch.load(args.dir + "/heatmap_stride%d.pt" % args.stride, weights_only=False)
    score, filtered = score.cpu(), filtered.cpu()
    return {"seconds_per_volume": seconds, "peak_rss_mb": peak_mb(), "device": str(dev),
            "precision": "fp16" if args.half else "fp32", "peak_gpu_mb": peak_gpu_mb(dev),
            "max_abs_diff_score": float((ours["score"] - score).abs().max()),
            "max_abs_diff_heatmap": float((ours["heatmap"] - filtered).abs().max()),
            "score_range": [float(score.min()), float(score.max())]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["train", "infer"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--patch", type=int, default=12)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--dir", default="")
    ap.add_argument("--stride", type=int, default=4)
    ap.add_argument("--compile", action="store_true", help="torch.compile the network (Inductor)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--bf16", action="store_true", help="train under bf16 autocast")
    ap.add_argument("--half", action="store_true", help="infer in fp16 (model.half())")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    result = train(args) if args.mode == "train" else infer(args)
    result.update({"implementation": "pytorch-reference-" + ("compiled" if args.compile else "eager"),
                   "torch": torch.__version__,
                   "threads": torch.get_num_threads(), "mode": args.mode})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
