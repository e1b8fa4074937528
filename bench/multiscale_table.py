#!/usr/bin/env python3
"""Per set, test Dice and AUPRC of the rows a multi-scale evaluation is judged by, from
report/results_summary.csv (docs/EVALUATION.md "Multi-scale"): every scale alone, every
multi-scale rule, the z-score and the validation-selected rows, each at its validation-Dice
threshold (no test volume chooses anything). Prints a Markdown table and, with --json, the
numbers as JSON.

  bench/multiscale_table.py runs/ms600/report/results_summary.csv [more.csv ...] [--json out.json]
Rows of later files are added under their method label prefixed with the file's `--label`s.
"""
import argparse
import csv
import json


def rows_of(path):
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["threshold_rule_id"] != "validation_dice" or r["metric"] not in ("dice", "auprc"):
                continue
            out.setdefault(r["method"], {}).setdefault(r["set"], {})[r["metric"]] = float(r["mean"])
    return out


def wanted(label):
    return (label.startswith("Patch2Loc") and " x " not in label) or label == "z-score" or label.startswith("Validation-selected")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--label", action="append", default=[], help="a prefix per csv after the first")
    ap.add_argument("--sets", default="tumor,stroke,wmh,ms,heterotopia")
    ap.add_argument("--json")
    a = ap.parse_args()
    sets = a.sets.split(",")
    table = {}
    for i, path in enumerate(a.csv):
        prefix = "" if i == 0 else (a.label[i - 1] if i - 1 < len(a.label) else path) + ": "
        for method, by_set in rows_of(path).items():
            if wanted(method):
                table[prefix + method] = by_set
    print("| method | " + " | ".join(f"{s} AUPRC | {s} Dice" for s in sets) + " |")
    print("|---|" + "---:|" * (2 * len(sets)))
    for method, by_set in table.items():
        cells = []
        for s in sets:
            m = by_set.get(s, {})
            cells += [f"{m['auprc']:.3f}" if "auprc" in m else "-", f"{m['dice']:.3f}" if "dice" in m else "-"]
        print(f"| {method} | " + " | ".join(cells) + " |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(table, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
