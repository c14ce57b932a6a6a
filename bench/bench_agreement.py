"""How long every agreement figure with intervals takes on a project-sized taxonomy, and at what memory.

Builds 3 annotators x 41,670 criterion units x 8 labels (1,000,080 label decisions, prevalence 2-20%, each
annotator flipping about 8% of the true presences), then times `agreement_report` with its bootstrap next to
calling scikit-learn's `cohen_kappa_score` and `krippendorff.alpha` directly on prepared arrays (no intervals).

    python bench/bench_agreement.py [--items 8334] [--criteria 5] [--boot 1000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from annotator.core.stats.agreement import agreement_report
from annotator.core.stats.data import LabelData
from annotator.core.taxonomy import Taxonomy

ANNOTATORS = ["ann1", "ann2", "ann3"]
PREVALENCE = [0.02, 0.05, 0.08, 0.10, 0.12, 0.15, 0.18, 0.20]


def build(n_items: int, n_criteria: int, seed: int = 0) -> LabelData:
    rng = np.random.default_rng(seed)
    tax = Taxonomy.model_validate({"id": "bench", "name": "Bench", "choice": "multi", "labels": [
        {"id": f"mode{k}", "name": f"Mode {k}", "target": "criterion"} for k in range(len(PREVALENCE))]})
    items = np.array([f"r{i}" for i in range(n_items)], dtype=object)
    item_col = np.repeat(items, n_criteria)
    target_col = np.tile(np.array([f"criterion:c{c}" for c in range(1, n_criteria + 1)], dtype=object), n_items)
    units = pd.DataFrame({"item_id": np.concatenate([items, item_col]),
                          "target": np.concatenate([np.full(n_items, "item", dtype=object), target_col]),
                          "kind": ["item"] * n_items + ["criterion"] * len(item_col)})
    done = pd.DataFrame({"item_id": np.repeat(items, len(ANNOTATORS)),
                         "annotator": np.tile(np.array(ANNOTATORS, dtype=object), n_items)})
    frames = []
    for k, p in enumerate(PREVALENCE):
        truth = rng.random(len(item_col)) < p
        for ann in ANNOTATORS:
            flip = rng.random(len(item_col)) < 0.08 * np.where(truth, 1.0, p)
            given = truth ^ flip
            frames.append(pd.DataFrame({"item_id": item_col[given], "annotator": ann,
                                        "target": target_col[given], "label": f"mode{k}"}))
    labels = pd.concat(frames, ignore_index=True)
    return LabelData(taxonomy=tax, units=units, done=done, labels=labels)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=8334)
    parser.add_argument("--criteria", type=int, default=5)
    parser.add_argument("--boot", type=int, default=1000)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = build(args.items, args.criteria)
    n_units = args.items * args.criteria
    decisions = n_units * len(ANNOTATORS) * len(PREVALENCE)
    print(f"data: {len(ANNOTATORS)} annotators x {n_units:,} units x {len(PREVALENCE)} labels = "
          f"{decisions:,} label decisions ({len(data.labels):,} labels given), built in "
          f"{time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    matrices = {lab: data.presence_matrix(lab, ANNOTATORS)[0] for lab in data.taxonomy.label_ids}
    prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    for m in matrices.values():
        for i in range(3):
            for j in range(i + 1, 3):
                cohen_kappa_score(m[i], m[j])
    sk = time.perf_counter() - t0
    t0 = time.perf_counter()
    for m in matrices.values():
        krippendorff.alpha(m, level_of_measurement="nominal")
    kr = time.perf_counter() - t0
    print(f"prepared arrays (presence matrices)        {prep:7.2f} s")
    print(f"scikit-learn cohen_kappa_score, 24 calls    {sk:7.2f} s   (point values only)")
    print(f"krippendorff.alpha, 8 calls                 {kr:7.2f} s   (point values only)")

    t0 = time.perf_counter()
    report = agreement_report(data, n_boot=args.boot, seed=0)
    elapsed = time.perf_counter() - t0
    print(f"agreement_report, every figure + {args.boot} resamples {elapsed:7.2f} s")
    t0 = time.perf_counter()
    agreement_report(data, n_boot=0)
    print(f"agreement_report without intervals          {time.perf_counter() - t0:7.2f} s")

    tracemalloc.start()  # a second, traced run: tracing slows numpy, so it is kept out of the timings
    agreement_report(data, n_boot=args.boot, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory during the report        {peak / 2**20:7.1f} MiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
    print(f"peak resident memory of the process         {rss:7.1f} MiB")
    o = report["overall"]
    for name in ("percent_agreement", "cohen_kappa_mean", "fleiss_kappa", "krippendorff_alpha", "masi_alpha"):
        ci = o.get(f"{name}_ci")
        span = f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "—"
        print(f"  {name:20s} {o[name]:.4f}  {span}")


if __name__ == "__main__":
    main()
