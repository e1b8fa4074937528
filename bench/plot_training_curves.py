#!/usr/bin/env python3
"""Draws validation location error against step and against wall time for training runs.
Usage: plot_training_curves.py OUT.png RUN_DIR [RUN_DIR ...]   (each with train_log.jsonl)
Prints one JSON object per run: its final and best validation error and its training time."""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def validations(run):
    rows = {}
    with open(os.path.join(run, "train_log.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if "val_location_error" in r:
                rows[r["step"]] = r  # the last row for a step wins (resumed runs)
    return [rows[k] for k in sorted(rows)]


def main():
    out, runs = sys.argv[1], sys.argv[2:]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    chance = None
    for run in runs:
        v = validations(run)
        name = os.path.basename(run.rstrip("/"))
        steps = [r["step"] for r in v]
        err = [r["val_location_error"] for r in v]
        wall = [r.get("wall_seconds", float("nan")) / 60 for r in v]
        chance = v[-1]["val_chance_error"]
        a.plot(steps, err, marker="o", ms=3, label=name)
        b.plot(wall, err, marker="o", ms=3, label=name)
        print(json.dumps({"run": name, "final_step": steps[-1], "final_error": err[-1],
                          "best_error": min(err), "train_minutes": wall[-1]}))
    for ax in (a, b):
        if chance:
            ax.axhline(chance, color="grey", ls="--", lw=1, label="chance (mean location)")
        ax.grid(alpha=0.3)
        ax.set_ylim(0, None)
    a.set_xlabel("optimisation step (1024 patches)")
    b.set_xlabel("training wall time (min, 2 ranks x 1 thread)")
    a.set_ylabel("validation location error (% of slice side)")
    a.legend()
    fig.suptitle("Patch2Loc on the default cohort: validation location error")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
