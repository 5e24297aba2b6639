#!/usr/bin/env python3
"""Compares a search run directory with this reference run of the code before
the search-space redesign (issue 27): the architecture, every row of
distribution.csv, the per-epoch figures of epochs.csv and result.json that do
not depend on timing, and the summaries. Exits 1 when any differs.

    python3 compare_runs.py benchmarks/results/redesign_reference runs/<new run>
"""
import csv, json, sys

ref, new = sys.argv[1], sys.argv[2]
ok = True
old_genotype = open(f"{ref}/genotype.txt").read()
new_genotype = open(f"{new}/architecture.txt").read()
print("genotype equal:", old_genotype == new_genotype)
ok &= old_genotype == new_genotype
a, b = open(f"{ref}/distribution.csv").read(), open(f"{new}/distribution.csv").read()
print("distribution.csv byte-identical:", a == b, f"({len(a.splitlines())} rows)")
ok &= a == b
ea = list(csv.DictReader(open(f"{ref}/epochs.csv")))
eb = list(csv.DictReader(open(f"{new}/epochs.csv")))
keys = ["epoch", "sampled_path", "learning_rate", "train_loss", "train_top1", "valid_top1"]
same = len(ea) == len(eb) and all(x[k] == y[k] for x, y in zip(ea, eb) for k in keys)
print("epochs.csv equal in", keys, ":", same, f"({len(ea)} epochs)")
ok &= same
ra, rb = json.load(open(f"{ref}/result.json")), json.load(open(f"{new}/result.json"))
fields = ["train_loss", "train_top1", "valid_top1", "learning_rate", "sampled_ops"]
same = all(x.get(f) == y.get(f) for x, y in zip(ra["epochs"], rb["epochs"]) for f in fields)
print("result.json epochs equal in", fields, ":", same)
ok &= same
print("mean entropy", ra["mean_entropy"], rb["mean_entropy"], "mean p(none)", ra["mean_none_probability"], rb["mean_none_probability"])
ok &= ra["mean_entropy"] == rb["mean_entropy"] and ra["mean_none_probability"] == rb["mean_none_probability"]
print("ALL EQUAL" if ok else "DIFFERENT")
sys.exit(0 if ok else 1)
