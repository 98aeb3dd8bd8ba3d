#!/usr/bin/env python3
"""Compare two published results trees (``--outdir`` of two pipeline runs) file by file, per sample and
pair (pipeline_info, report and multiqc are left out): identical bytes, the same content (TSV tables
equal; h5ad X and obsm equal), or what differs (the keys of a JSON, else the file).

    .venv/bin/python benchmarks/compare_results.py OLD/results NEW/results > comparison.json

Run both pipelines with one CPU per task (``-c`` a config with ``process.resourceLimits = [cpus: 1, ...]``)
when training must match bit for bit across machines' thread timings.
"""
import json, sys
from pathlib import Path
import anndata as ad
import numpy as np
import pandas as pd

old, new = Path(sys.argv[1]), Path(sys.argv[2])
skip = ("pipeline_info", "report", "multiqc")
files_old = {p.relative_to(old) for p in old.rglob("*") if p.is_file() and p.relative_to(old).parts[0] not in skip}
files_new = {p.relative_to(new) for p in new.rglob("*") if p.is_file() and p.relative_to(new).parts[0] not in skip}
out = {"only_old": sorted(map(str, files_old - files_new)), "only_new": sorted(map(str, files_new - files_old)),
       "identical": [], "same_content": [], "differ": {}}

def flat(d, p=""):
    if isinstance(d, dict):
        r = {}
        for k, v in d.items():
            r.update(flat(v, f"{p}.{k}" if p else k))
        return r
    return {p: d}

for rel in sorted(files_old & files_new):
    a, b = old / rel, new / rel
    if a.read_bytes() == b.read_bytes():
        out["identical"].append(str(rel)); continue
    if rel.suffix == ".json":
        fa, fb = flat(json.loads(a.read_text())), flat(json.loads(b.read_text()))
        keys = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))
        out["differ"][str(rel)] = keys
    elif rel.suffix in (".tsv",):
        ta, tb = pd.read_csv(a, sep="\t"), pd.read_csv(b, sep="\t")
        if ta.equals(tb):
            out["same_content"].append(str(rel))
        else:
            out["differ"][str(rel)] = "table differs"
    elif rel.suffix == ".h5ad":
        xa, xb = ad.read_h5ad(a), ad.read_h5ad(b)
        same = (np.array_equal(np.asarray(xa.X.todense() if hasattr(xa.X, "todense") else xa.X),
                               np.asarray(xb.X.todense() if hasattr(xb.X, "todense") else xb.X))
                and all(np.array_equal(xa.obsm[k], xb.obsm[k]) for k in xa.obsm)
                and set(xa.obsm) == set(xb.obsm))
        if same:
            out["same_content"].append(str(rel))
        else:
            out["differ"][str(rel)] = "X or obsm differs"
    else:
        out["differ"][str(rel)] = "bytes differ"
print(json.dumps(out, indent=1))
