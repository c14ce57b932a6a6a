"""The F1 report counts every label (and every annotator of the human ceiling) in one pass over its arrays.

These tests redo the figures the slow, obvious way, one label and one annotator at a time with scikit-learn, on
random data shaped to find the corners: labels almost nobody uses, a label nobody uses, an annotator who
finished two items, adjudicated units, and items the metric never scored. The fast path must give exactly the
same numbers (not approximately: the report's figures are stored and compared across runs).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, precision_recall_fscore_support

from annotator.core.stats.data import LabelData
from annotator.core.stats.f1 import binary_figures, f1_report, figures_from_counts
from annotator.core.stats.partitions import agreement_partitions, pair_kappa
from annotator.core.taxonomy import Taxonomy

MULTI = Taxonomy.model_validate({
    "id": "modes", "name": "Modes", "labels": [
        {"id": "vague", "name": "Vague", "target": "criterion"},
        {"id": "rare", "name": "Rare", "target": "criterion"},
        {"id": "never", "name": "Never", "target": "criterion"},
        {"id": "gaps", "name": "Gaps", "target": "item"},
    ]})
RATES = {"vague": 0.45, "rare": 0.03, "never": 0.0, "gaps": 0.3}
SINGLE = Taxonomy.model_validate({
    "id": "verdict", "name": "Verdict", "choice": "single", "labels": [
        {"id": "no", "name": "No", "target": "criterion"},
        {"id": "yes", "name": "Yes", "target": "criterion"},
        {"id": "odd", "name": "Odd", "target": "criterion"},
    ]})
CATEGORY_WEIGHTS = [0.55, 0.42, 0.03]  # "odd" is rare


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def random_project(seed: int, tax: Taxonomy, n_items: int = 30) -> LabelData:
    """Three regular annotators who finish most items, and `newcomer` who finished two."""
    rng = np.random.default_rng(seed)
    single = tax.choice == "single"
    units, done, labels, preds, gold, gold_units = [], [], [], [], [], []
    people = ["ann", "bob", "cat"]
    for k in range(n_items):
        item = f"i{k:02d}"
        targets = [f"criterion:c{j}" for j in range(int(rng.integers(1, 5)))]
        units += [(item, "item", "item")] + [(item, t, "criterion") for t in targets]
        finishers = [a for a in people if rng.random() < 0.85] + (["newcomer"] if k in (3, 11) else [])
        for a in finishers:
            done.append((item, a))
            for t in targets:
                if single:
                    if rng.random() < 0.9:
                        labels.append((item, a, t, tax.label_ids[rng.choice(3, p=CATEGORY_WEIGHTS)]))
                    continue
                labels += [(item, a, t, lab) for lab in ("vague", "rare", "never") if rng.random() < RATES[lab]]
            if not single and rng.random() < RATES["gaps"]:
                labels.append((item, a, "item", "gaps"))
        if rng.random() < 0.2:  # a reviewer settled some units
            for t in targets[:1] + (["item"] if not single else []):
                gold_units.append((item, t))
                chosen = [lab.id for lab in tax.labels
                          if lab.target == t.split(":")[0] and lab.id != "never" and rng.random() < 0.4]
                gold += [(item, t, lab) for lab in (chosen[:1] if single and rng.random() < 0.7 else chosen)]
        if rng.random() < 0.85:  # the metric scored this item
            for t in targets + (["item"] if not single else []):
                for lab in tax.labels:
                    if lab.target == t.split(":")[0] and rng.random() < 0.7:
                        preds.append((item, "m", t, lab.id, round(float(rng.random()), 2)))
    predictions = _frame(preds, ["item_id", "metric", "target", "label", "score"])
    predictions["score"] = predictions["score"].astype(float)
    return LabelData(
        taxonomy=tax, units=_frame(units, ["item_id", "target", "kind"]), done=_frame(done, ["item_id", "annotator"]),
        labels=_frame(labels, ["item_id", "annotator", "target", "label"]),
        gold=_frame(gold, ["item_id", "target", "label"]), gold_units=_frame(gold_units, ["item_id", "target"]),
        predictions=predictions, scored=_frame(sorted({(p[0], "m") for p in preds}), ["item_id", "metric"]))


def sklearn_figures(y_true: list[int], y_pred: list[int]) -> tuple[float | None, float | None, float | None]:
    if not y_true:
        return None, None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", labels=[0, 1],
                                                     zero_division=np.nan)
    return tuple(None if np.isnan(v) else float(v) for v in (p, r, f))


def _answers(data: LabelData
             ) -> tuple[dict[str, set[str]], dict[str, list[tuple[str, str]]], dict[tuple[str, str, str], set[str]]]:
    """who finished each item, the units of each item, and each (annotator, item, target)'s labels."""
    finished: dict[str, set[str]] = {}
    for item, a in data.done.itertuples(index=False):
        finished.setdefault(item, set()).add(a)
    units: dict[str, list[tuple[str, str]]] = {}
    for item, target, kind in data.units.itertuples(index=False):
        units.setdefault(kind, []).append((item, target))
    said: dict[tuple, set[str]] = {}
    for item, a, target, lab in data.labels.itertuples(index=False):
        said.setdefault((a, item, target), set()).add(lab)
    return finished, units, said


def multi_by_hand(data: LabelData, threshold: float) -> dict:
    """Per label: the metric against the adjudicated-else-majority gold; per annotator and pooled: each human
    against the majority of the others. One label, one annotator, one scikit-learn call at a time."""
    finished, units, said = _answers(data)
    scored = set(data.scored["item_id"])
    score = {(i, t, lab): s for i, _, t, lab, s in data.predictions.itertuples(index=False)}
    settled = set(zip(data.gold_units["item_id"], data.gold_units["target"]))
    reviewed = set(data.gold.itertuples(index=False, name=None))

    def majority(people: set[str], item: str, target: str, lab: str) -> int | None:
        yes = sum(lab in said.get((a, item, target), set()) for a in people)
        return None if 2 * yes == len(people) else int(2 * yes > len(people))

    out: dict = {"labels": {}, "ceiling": {}}
    pooled: dict[str, dict[str, list[list[int]]]] = {}  # annotator -> label -> [gold, own]
    for lab in data.taxonomy.labels:
        y_true, y_pred = [], []
        for item, target in units[lab.target]:
            if item not in scored:
                continue
            if (item, target) in settled:  # a reviewer's answer counts even where nobody finished the item
                g = int((item, target, lab.id) in reviewed)
            elif finished.get(item):
                g = majority(finished[item], item, target, lab.id)
            else:
                continue
            if g is not None:
                y_true.append(g)
                y_pred.append(int(score.get((item, target, lab.id), 0.0) >= threshold))
        out["labels"][lab.id] = sklearn_figures(y_true, y_pred) + (len(y_true),)
        for ann in data.annotators:
            mine = pooled.setdefault(ann, {}).setdefault(lab.id, [[], []])
            for item, target in units[lab.target]:
                others = finished.get(item, set()) - {ann}
                if item not in scored or ann not in finished.get(item, set()) or not others:
                    continue
                g = majority(others, item, target, lab.id)
                if g is not None:
                    mine[0].append(g)
                    mine[1].append(int(lab.id in said.get((ann, item, target), set())))
    for ann, per_label in pooled.items():
        out["ceiling"][ann] = {lab: sklearn_figures(*pair) for lab, pair in per_label.items()}
    together = {lab: (sum((pooled[a][lab][0] for a in pooled), []), sum((pooled[a][lab][1] for a in pooled), []))
                for lab in data.taxonomy.label_ids}
    out["ceiling_pooled"] = {lab: sklearn_figures(*pair) for lab, pair in together.items()}
    return out


def _triple(entry: dict) -> tuple:
    return entry["precision"], entry["recall"], entry["f1"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("threshold", [0.25, 0.5, 0.9])
def test_multi_choice_report_equals_the_per_label_computation(seed: int, threshold: float) -> None:
    data = random_project(seed, MULTI)
    report = f1_report(data, "m", threshold=threshold)
    expected = multi_by_hand(data, threshold)
    for lab, (p, r, f, units) in expected["labels"].items():
        assert _triple(report["labels"][lab]) == (p, r, f), lab
        assert report["labels"][lab]["units"] == units
    ceiling = report["human_ceiling"]
    assert set(ceiling["annotators"]) == {"ann", "bob", "cat", "newcomer"}
    for ann, per_label in expected["ceiling"].items():
        for lab, figures in per_label.items():
            assert _triple(ceiling["annotators"][ann]["labels"][lab]) == figures, (ann, lab)
    for lab, figures in expected["ceiling_pooled"].items():
        assert _triple(ceiling["labels"][lab]) == figures, lab
    assert report["labels"]["never"]["recall"] is None  # nobody used it: no gold positive


def single_by_hand(data: LabelData) -> dict:
    """The metric's top-scored category against the adjudicated-else-plurality category of each unit, and each
    human's category against the plurality of the others, one label at a time."""
    finished, units, said = _answers(data)
    order = data.taxonomy.label_ids
    scored = set(data.scored["item_id"])
    score = {(i, t, lab): s for i, _, t, lab, s in data.predictions.itertuples(index=False)}
    settled = set(zip(data.gold_units["item_id"], data.gold_units["target"]))
    reviewed: dict[tuple[str, str], list[str]] = {}
    for item, target, lab in data.gold.itertuples(index=False):
        reviewed.setdefault((item, target), []).append(lab)

    def plurality(people: set[str], item: str, target: str) -> str | None:
        votes = [lab for a in people for lab in said.get((a, item, target), set())]
        counts = [votes.count(lab) for lab in order]
        if max(counts) == 0 or counts.count(max(counts)) > 1:
            return None
        return order[counts.index(max(counts))]

    gold, pred = [], []
    for item, target in units["criterion"]:
        if item not in scored:
            continue
        if (item, target) in settled:  # "no label" or several labels is no single-choice answer
            chosen = reviewed.get((item, target), [])
            g = chosen[0] if len(chosen) == 1 else None
        elif finished.get(item):
            g = plurality(finished[item], item, target)
        else:
            continue
        if g is None:
            continue
        s = [score.get((item, target, lab), 0.0) for lab in order]
        gold.append(g)
        pred.append(order[s.index(max(s))] if max(s) > 0 else "")
    out: dict = {"accuracy": float(accuracy_score(gold, pred)),
                 "labels": {lab: sklearn_figures([int(g == lab) for g in gold], [int(p == lab) for p in pred])
                            for lab in order}, "ceiling": {}}
    for ann in data.annotators:
        g_ann, p_ann = [], []
        for item, target in units["criterion"]:
            others = finished.get(item, set()) - {ann}
            if item not in scored or ann not in finished.get(item, set()) or not others:
                continue
            g = plurality(others, item, target)
            mine = said.get((ann, item, target), set())
            if g is not None and mine:  # a unit the annotator left without a category is not scored
                g_ann.append(g)
                p_ann.append(next(iter(mine)))
        out["ceiling"][ann] = {lab: sklearn_figures([int(g == lab) for g in g_ann], [int(p == lab) for p in p_ann])
                               for lab in order}
    return out


@pytest.mark.parametrize("seed", [10, 11, 12, 13])
def test_single_choice_report_equals_the_per_label_computation(seed: int) -> None:
    data = random_project(seed, SINGLE)
    report = f1_report(data, "m")
    expected = single_by_hand(data)
    assert report["accuracy"] == expected["accuracy"]
    for lab, figures in expected["labels"].items():
        assert _triple(report["labels"][lab]) == figures, lab
    for ann, per_label in expected["ceiling"].items():
        for lab, figures in per_label.items():
            assert _triple(report["human_ceiling"]["annotators"][ann]["labels"][lab]) == figures, (ann, lab)


@pytest.mark.parametrize("seed", range(8))
def test_counts_divide_as_scikit_learn_does(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for size in (0, 1, 2, 7, 50):
        y_true = (rng.random(size) < rng.choice([0.0, 0.05, 0.5])).astype(int)
        y_pred = (rng.random(size) < rng.choice([0.0, 0.05, 0.5])).astype(int)
        got = binary_figures(y_true, y_pred)
        assert _triple(got) == sklearn_figures(list(y_true), list(y_pred))
        assert got == figures_from_counts(got["tp"], got["fp"], got["fn"], size)


@pytest.mark.parametrize("seed", range(6))
def test_pair_kappa_equals_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for size, classes in ((2, 2), (5, 2), (40, 2), (40, 3), (60, 4)):
        x = rng.integers(0, classes, size).astype(float)
        y = np.where(rng.random(size) < 0.6, x, rng.integers(0, classes, size)).astype(float)
        x[rng.random(size) < 0.1] = np.nan
        both = ~np.isnan(x) & ~np.isnan(y)
        kappa, n = pair_kappa(x, y)
        assert n == int(both.sum())
        a, b = x[both].astype(int), y[both].astype(int)
        if n < 2 or (len(set(a)) == 1 and set(a) == set(b)):
            assert kappa is None
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = cohen_kappa_score(a, b)
        assert kappa == (None if np.isnan(want) else float(want))


@pytest.mark.parametrize("seed", [0, 1])
def test_partitions_pairs_equal_scikit_learn_label_by_label(seed: int) -> None:
    data = random_project(seed, MULTI)
    report = agreement_partitions(data, ["m"], threshold=0.5)
    humans = data.annotators
    scored = set(data.scored["item_id"])
    for lab in ("vague", "gaps"):
        matrix, units = data.presence_matrix(lab, humans)
        hit = data.predictions[(data.predictions["label"] == lab) & (data.predictions["score"] >= 0.5)]
        positive = set(zip(hit["item_id"], hit["target"]))
        metric = np.array([(float((i, t) in positive) if i in scored else np.nan)
                           for i, t in zip(units["item_id"], units["target"])])
        rows = {**{h: matrix[k] for k, h in enumerate(humans)}, "m": metric}
        kappas = []
        for h in humans:
            both = ~np.isnan(rows[h]) & ~np.isnan(metric)
            a, b = rows[h][both].astype(int), metric[both].astype(int)
            if both.sum() >= 2 and not (len(set(a)) == 1 and set(a) == set(b)):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    k = cohen_kappa_score(a, b)
                if not np.isnan(k):
                    kappas.append(float(k))
        assert report["labels"][lab]["human_metric"] == (float(np.mean(kappas)) if kappas else None), lab
