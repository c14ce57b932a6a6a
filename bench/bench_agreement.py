"""How long every agreement figure with intervals takes, beside the bare library calls, in two designs.

Team: 3 annotators x 41,670 criterion units x 8 labels (1,000,080 label decisions, prevalence 2-20%, each
annotator flipping about 8% of the true presences): `agreement_report` with its bootstrap next to calling
scikit-learn's `cohen_kappa_score` and `krippendorff.alpha` directly on prepared arrays (no intervals).

Crowd: 200 workers, 1,000 items, each rated by 10 workers into one of 3 categories (as in Snow et al. 2008,
where a few workers do most of the work: a worker's share of the items follows a Pareto law). The baseline is
what the same point figures cost by the libraries: statsmodels' Fleiss' kappa on the count table,
`krippendorff.alpha` on the worker x item matrix, and scikit-learn's Cohen's kappa for every pair of workers
sharing at least 10 items (found with one matrix product).

    python bench/bench_agreement.py [--items 8334] [--criteria 5] [--boot 1000] [--case team|crowd|both]
"""

from __future__ import annotations

import argparse
import json
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


CROWD_CATEGORIES = ["neg", "neutral", "pos"]


def build_crowd(workers: int = 200, n_items: int = 1000, per_item: int = 10, seed: int = 0) -> LabelData:
    """Single-choice item labels from a crowd: each item rated by `per_item` of `workers`, chosen with weights
    that make a few workers very active, each worker right 75% of the time and otherwise guessing."""
    rng = np.random.default_rng(seed)
    tax = Taxonomy.model_validate({"id": "crowd", "name": "Crowd", "choice": "single", "labels": [
        {"id": c, "name": c, "target": "item"} for c in CROWD_CATEGORIES]})
    names = np.array([f"w{k:03d}" for k in range(workers)], dtype=object)
    activity = rng.pareto(1.2, workers) + 0.05
    activity /= activity.sum()
    truth = rng.choice(len(CROWD_CATEGORIES), n_items, p=[0.2, 0.5, 0.3])
    rows = []
    for i in range(n_items):
        who = rng.choice(workers, per_item, replace=False, p=activity)
        right = rng.random(per_item) < 0.75
        given = np.where(right, truth[i], rng.integers(0, len(CROWD_CATEGORIES), per_item))
        rows += [(f"item{i:04d}", names[w], CROWD_CATEGORIES[g]) for w, g in zip(who, given)]
    frame = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    items = [f"item{i:04d}" for i in range(n_items)]
    return LabelData(taxonomy=tax, units=pd.DataFrame({"item_id": items, "target": "item", "kind": "item"}),
                     done=frame[["item_id", "annotator"]].copy(), labels=frame.assign(target="item")[
                         ["item_id", "annotator", "target", "label"]])


def crowd_baseline(data: LabelData, min_shared: int = 10) -> tuple[float, float]:
    """The bare library calls for the crowd's point figures, on arrays prepared outside the timing; also the
    part of it that is not the per-pair kappas."""
    from statsmodels.stats.inter_rater import fleiss_kappa

    m = data.category_matrix()[0]
    q = len(CROWD_CATEGORIES)
    t0 = time.perf_counter()
    table = np.stack([(m == k).sum(axis=0) for k in range(q)], axis=1)
    fleiss_kappa(table)
    krippendorff.alpha(m, level_of_measurement="nominal", value_domain=list(range(q)))
    whole = time.perf_counter() - t0
    given = (~np.isnan(m)).astype(float)
    shared = given @ given.T
    for i, j in zip(*np.nonzero(np.triu(shared >= min_shared, k=1))):
        both = ~np.isnan(m[i]) & ~np.isnan(m[j])
        cohen_kappa_score(m[i, both], m[j, both], labels=list(range(q)))
    return time.perf_counter() - t0, whole


def crowd(boot: int) -> None:
    t0 = time.perf_counter()
    data = build_crowd()
    print(f"\ncrowd: 200 workers, 1,000 items x 10 ratings ({len(data.labels):,} labels), built in "
          f"{time.perf_counter() - t0:.2f} s")
    base, whole = crowd_baseline(data)
    print(f"baseline: statsmodels fleiss_kappa + krippendorff.alpha + scikit-learn kappa per pair   {base:7.2f} s")
    print(f"  of which statsmodels fleiss_kappa + krippendorff.alpha alone                           {whole:7.2f} s")
    t0 = time.perf_counter()
    report = agreement_report(data, n_boot=0, min_items=1)
    point = time.perf_counter() - t0
    print(f"agreement_report, every figure, no intervals                   {point:7.2f} s   {point / base:5.1f}x")
    t0 = time.perf_counter()
    agreement_report(data, n_boot=boot, seed=0, min_items=1)
    full = time.perf_counter() - t0
    print(f"agreement_report, every figure + {boot} resamples of items      {full:7.2f} s   {full / base:5.1f}x")
    o = report["overall"]
    print(f"  {len(report['pairs'])} pairs kept, {report['pairs_left_out']} left out; JSON "
          f"{len(json.dumps(report)) / 1024:.0f} KiB")
    for name in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "cohen_kappa_mean"):
        print(f"  {name:20s} {o[name]:.4f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=8334)
    parser.add_argument("--criteria", type=int, default=5)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--case", choices=("team", "crowd", "both"), default="both")
    args = parser.parse_args(argv)
    if args.case in ("team", "both"):
        team(args)
    if args.case in ("crowd", "both"):
        crowd(args.boot)


def team(args: argparse.Namespace) -> None:
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
    report = agreement_report(data, n_boot=args.boot, seed=0, min_items=1)
    elapsed = time.perf_counter() - t0
    print(f"agreement_report, every figure + {args.boot} resamples {elapsed:7.2f} s")
    t0 = time.perf_counter()
    agreement_report(data, n_boot=0, min_items=1)
    print(f"agreement_report without intervals          {time.perf_counter() - t0:7.2f} s")

    tracemalloc.start()  # a second, traced run: tracing slows numpy, so it is kept out of the timings
    agreement_report(data, n_boot=args.boot, seed=0, min_items=1)
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
