"""F1 against humans (DESIGN 6): gold by majority or adjudication, thresholds, scored items, human ceiling."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from annotator.core.errors import NotFound
from annotator.core.stats.data import LabelData
from annotator.core.stats.f1 import f1_report, gold_labels
from annotator.core.taxonomy import Taxonomy

MULTI = Taxonomy.model_validate({
    "id": "modes", "name": "Modes", "labels": [
        {"id": "vague", "name": "Vague", "target": "criterion"},
        {"id": "bundled", "name": "Bundled", "target": "criterion"},
        {"id": "gaps", "name": "Gaps", "target": "item"},
    ]})
SINGLE = Taxonomy.model_validate({
    "id": "verdict", "name": "Verdict", "choice": "single", "scale": "ordinal", "labels": [
        {"id": "no", "name": "Not met", "target": "criterion"},
        {"id": "partly", "name": "Partly", "target": "criterion"},
        {"id": "yes", "name": "Met", "target": "criterion"},
    ]})


def frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def make_data(tax: Taxonomy, units: dict[str, list[str]], done: list[tuple[str, str]], labels: list[tuple],
              predictions: list[tuple] = (), scored: list[tuple[str, str]] = (), gold: list[tuple] = (),
              gold_units: list[tuple[str, str]] = ()) -> LabelData:
    """units: item -> criterion ids; labels: (item, annotator, target, label); predictions: (item, metric, target,
    label, score)."""
    unit_rows = []
    for item, cids in units.items():
        unit_rows.append((item, "item", "item"))
        unit_rows += [(item, f"criterion:{c}", "criterion") for c in cids]
    preds = frame(list(predictions), ["item_id", "metric", "target", "label", "score"])
    preds["score"] = preds["score"].astype(float)
    scored = list(scored) or sorted({(p[0], p[1]) for p in predictions})
    return LabelData(
        taxonomy=tax,
        units=frame(unit_rows, ["item_id", "target", "kind"]),
        done=frame(done, ["item_id", "annotator"]),
        labels=frame(labels, ["item_id", "annotator", "target", "label"]),
        gold=frame(list(gold), ["item_id", "target", "label"]),
        gold_units=frame(list(gold_units), ["item_id", "target"]),
        predictions=preds,
        scored=frame(scored, ["item_id", "metric"]),
    )


def random_data(seed: int, n_items: int = 40, n_ann: int = 3) -> LabelData:
    rng = np.random.default_rng(seed)
    units = {f"i{k}": [f"c{j}" for j in range(1, 1 + rng.integers(1, 5))] for k in range(n_items)}
    anns = [f"a{k}" for k in range(n_ann)]
    done, labels, preds = [], [], []
    for item, cids in units.items():
        for a in anns:
            if rng.random() < 0.9:
                done.append((item, a))
                for c in cids:
                    for lab in ("vague", "bundled"):
                        if rng.random() < 0.4:
                            labels.append((item, a, f"criterion:{c}", lab))
                if rng.random() < 0.3:
                    labels.append((item, a, "item", "gaps"))
        if rng.random() < 0.85:  # the metric scored this item
            for c in cids:
                for lab in ("vague", "bundled"):
                    if rng.random() < 0.6:
                        preds.append((item, "m", f"criterion:{c}", lab, round(float(rng.random()), 2)))
            preds.append((item, "m", "item", "gaps", round(float(rng.random()), 2)))
    return make_data(MULTI, units, done, labels, preds)


class MajorityByHand:
    """The humans' majority on a unit and label, counted by hand from the raw rows (None on a tie). The rows are
    gathered once per data set: filtering the frames again for every unit and label was most of these tests."""

    def __init__(self, data: LabelData):
        self.finished: dict[str, set[str]] = defaultdict(set)  # item -> who finished it
        for item, annotator in data.done[["item_id", "annotator"]].itertuples(index=False):
            self.finished[item].add(annotator)
        self.given: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # (item, target, label) -> who gave it
        for item, annotator, target, label in data.labels[["item_id", "annotator", "target", "label"]].itertuples(
                index=False):
            self.given[(item, target, label)].add(annotator)

    def __call__(self, item: str, target: str, label: str) -> int | None:
        finished = self.finished.get(item, set())
        yes = len(self.given.get((item, target, label), set()) & finished)
        if not finished or 2 * yes == len(finished):
            return None
        return int(2 * yes > len(finished))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_figures_match_scikit_learn_on_random_data(seed: int, threshold: float) -> None:
    data = random_data(seed)
    report = f1_report(data, "m", threshold=threshold)
    scored = set(data.scored["item_id"])
    pred = {(i, t, lab): s for i, _, t, lab, s in data.predictions.itertuples(index=False)}
    majority_by_hand = MajorityByHand(data)
    pooled_true, pooled_pred, ties = [], [], 0
    for label in ("vague", "bundled", "gaps"):
        kind = MULTI.label(label).target
        y_true, y_pred = [], []
        for item, target, k in data.units.itertuples(index=False):
            if k != kind or item not in scored:
                continue
            if item not in majority_by_hand.finished:  # nobody finished it
                continue
            g = majority_by_hand(item, target, label)
            if g is None:
                ties += 1
                continue
            y_true.append(g)
            y_pred.append(int(pred.get((item, target, label), 0.0) >= threshold))
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", zero_division=0)
        got = report["labels"][label]
        assert got["precision"] == pytest.approx(p)
        assert got["recall"] == pytest.approx(r)
        assert got["f1"] == pytest.approx(f)
        assert got["support"] == sum(y_true)
        assert got["tp"] + got["fn"] == sum(y_true) and got["tp"] + got["fp"] == sum(y_pred)
        pooled_true += y_true
        pooled_pred += y_pred
    _, _, micro, _ = precision_recall_fscore_support(pooled_true, pooled_pred, average="binary")
    assert report["micro_f1"] == pytest.approx(micro)
    assert report["macro_f1"] == pytest.approx(np.mean([report["labels"][k]["f1"] for k in report["labels"]]))
    assert report["ties_excluded"] == ties
    assert len(report["errors"]["false_positives"]) == sum(v["fp"] for v in report["labels"].values())
    assert len(report["errors"]["false_negatives"]) == sum(v["fn"] for v in report["labels"].values())


def two_annotator_case(**extra) -> LabelData:
    # i1: annotators a and b agree c1 is vague, disagree on c2 (a tie); b alone calls the rubric gappy (tie).
    # i2: a, b and c finished; two of three call c1 vague (majority), one calls c2 vague (majority says no).
    return make_data(
        MULTI, {"i1": ["c1", "c2"], "i2": ["c1", "c2"]},
        done=[("i1", "a"), ("i1", "b"), ("i2", "a"), ("i2", "b"), ("i2", "c")],
        labels=[("i1", "a", "criterion:c1", "vague"), ("i1", "b", "criterion:c1", "vague"),
                ("i1", "a", "criterion:c2", "vague"), ("i1", "b", "item", "gaps"),
                ("i2", "a", "criterion:c1", "vague"), ("i2", "c", "criterion:c1", "vague"),
                ("i2", "b", "criterion:c2", "vague")],
        predictions=[("i1", "m", "criterion:c1", "vague", 0.9), ("i2", "m", "criterion:c2", "vague", 0.6),
                     ("i2", "m", "criterion:c1", "vague", 0.4)],
        **extra)


def test_ties_are_left_out_and_counted() -> None:
    gold, ties = gold_labels(two_annotator_case())
    assert ties == 2  # (i1, c2, vague) and (i1, item, gaps)
    vague = gold[gold["label"] == "vague"].set_index(["item_id", "target"])["value"].to_dict()
    assert vague == {("i1", "criterion:c1"): 1, ("i2", "criterion:c1"): 1, ("i2", "criterion:c2"): 0}
    report = f1_report(two_annotator_case(), "m")
    assert report["ties_excluded"] == 2
    v = report["labels"]["vague"]
    # c1@i1 gold 1 score .9 -> tp; c1@i2 gold 1 score .4 -> fn; c2@i2 gold 0 score .6 -> fp
    assert (v["tp"], v["fp"], v["fn"]) == (1, 1, 1)
    assert v["precision"] == pytest.approx(0.5) and v["f1"] == pytest.approx(0.5)
    assert report["errors"]["false_positives"] == [
        {"item_id": "i2", "target": "criterion:c2", "label": "vague", "score": 0.6}]


def test_adjudicated_gold_overrides_majority() -> None:
    # the reviewer decided i1 c2 (a tie) is vague and i2 c1 (majority vague) is not
    data = two_annotator_case(gold=[("i1", "criterion:c2", "vague")],
                              gold_units=[("i1", "criterion:c2"), ("i2", "criterion:c1")])
    gold, ties = gold_labels(data)
    assert ties == 1
    g = gold.set_index(["item_id", "target", "label"])
    assert g.loc[("i1", "criterion:c2", "vague"), "value"] == 1
    assert g.loc[("i1", "criterion:c2", "vague"), "source"] == "adjudicated"
    assert g.loc[("i2", "criterion:c1", "vague"), "value"] == 0
    assert g.loc[("i2", "criterion:c1", "bundled"), "value"] == 0
    assert g.loc[("i1", "criterion:c1", "vague"), "source"] == "majority"


def test_unscored_items_are_left_out() -> None:
    data = two_annotator_case()
    only_i2 = make_data(MULTI, {"i1": ["c1", "c2"], "i2": ["c1", "c2"]}, data.done.values.tolist(),
                        data.labels.values.tolist(),
                        predictions=[("i2", "m", "criterion:c2", "vague", 0.6)])
    report = f1_report(only_i2, "m")
    assert report["units"] == 3  # i2: item, c1, c2
    assert report["ties_excluded"] == 0  # the ties sit on i1, which the metric never saw
    v = report["labels"]["vague"]
    assert (v["tp"], v["fp"], v["fn"]) == (0, 1, 1)
    with pytest.raises(NotFound):
        f1_report(only_i2, "other")


def test_scored_item_without_prediction_rows_counts_as_zero() -> None:
    data = two_annotator_case()
    silent = make_data(MULTI, {"i1": ["c1", "c2"], "i2": ["c1", "c2"]}, data.done.values.tolist(),
                       data.labels.values.tolist(), scored=[("i1", "m"), ("i2", "m")])
    report = f1_report(silent, "m")
    v = report["labels"]["vague"]
    assert (v["tp"], v["fp"], v["fn"]) == (0, 0, 2)
    assert v["precision"] is None and "predicted no positive" in v["precision_reason"]
    assert v["recall"] == 0.0 and v["f1"] == 0.0
    bundled = report["labels"]["bundled"]
    assert bundled["f1"] is None and bundled["f1_reason"]
    assert report["macro_f1"] == 0.0  # bundled has no positive anywhere, so only vague counts


def test_threshold_is_inclusive() -> None:
    at = f1_report(two_annotator_case(), "m", threshold=0.6)["labels"]["vague"]
    above = f1_report(two_annotator_case(), "m", threshold=0.61)["labels"]["vague"]
    assert (at["tp"], at["fp"]) == (1, 1)
    assert (above["tp"], above["fp"]) == (1, 0)
    with pytest.raises(ValueError):
        f1_report(two_annotator_case(), "m", threshold=1.5)


def test_sweep_lists_distinct_scores_and_grid() -> None:
    report = f1_report(two_annotator_case(), "m")
    sweep = report["sweep"]["vague"]
    thresholds = [p[0] for p in sweep["points"]]
    assert {0.4, 0.6, 0.9, 0.05, 1.0} <= set(thresholds)
    assert thresholds == sorted(thresholds)
    # at 0.4 everything scored is positive: tp 2, fp 1, fn 0 -> F1 0.8, the best; 0.05 ties it and is lower
    at = {p[0]: p for p in sweep["points"]}
    assert at[0.4][3] == pytest.approx(0.8)
    assert sweep["best_f1"] == pytest.approx(0.8) and sweep["best_threshold"] == 0.05


def test_binary_metric_has_no_sweep() -> None:
    data = two_annotator_case()
    binary = make_data(MULTI, {"i1": ["c1", "c2"], "i2": ["c1", "c2"]}, data.done.values.tolist(),
                       data.labels.values.tolist(), predictions=[("i1", "m", "criterion:c1", "vague", 1.0)])
    report = f1_report(binary, "m")
    assert report["sweep"] == {} and report["sweep_reason"]


def test_human_ceiling_by_hand() -> None:
    # three annotators on one rubric with four criteria, label vague only
    labels = [("i1", "a", "criterion:c1", "vague"), ("i1", "b", "criterion:c1", "vague"),
              ("i1", "c", "criterion:c1", "vague"),
              ("i1", "a", "criterion:c2", "vague"), ("i1", "b", "criterion:c2", "vague"),
              ("i1", "a", "criterion:c3", "vague"),
              ("i1", "c", "criterion:c4", "vague")]
    data = make_data(MULTI, {"i1": ["c1", "c2", "c3", "c4"]}, [("i1", "a"), ("i1", "b"), ("i1", "c")], labels,
                     predictions=[("i1", "m", "criterion:c1", "vague", 1.0)])
    ceiling = f1_report(data, "m")["human_ceiling"]
    # against b+c: c1 both yes -> 1; c2 b yes c no -> tie; c3 none -> 0; c4 c yes b no -> tie.
    # a says c1 1, c3 1 -> tp 1, fp 1 -> P .5, R 1, F1 2/3.
    a = ceiling["annotators"]["a"]["labels"]["vague"]
    assert (a["tp"], a["fp"], a["fn"], a["units"]) == (1, 1, 0, 2)
    assert a["f1"] == pytest.approx(2 / 3)
    # against a+c: c1 1, c2 tie, c3 tie, c4 tie -> b says c1 yes: tp 1 -> F1 1
    b = ceiling["annotators"]["b"]["labels"]["vague"]
    assert (b["tp"], b["fp"], b["fn"], b["units"]) == (1, 0, 0, 1)
    # against a+b: c1 1, c2 1, c3 tie, c4 0 -> c says c1 yes, c2 no, c4 yes: tp 1, fn 1, fp 1 -> F1 .5
    c = ceiling["annotators"]["c"]["labels"]["vague"]
    assert (c["tp"], c["fp"], c["fn"], c["units"]) == (1, 1, 1, 3)
    assert c["f1"] == pytest.approx(0.5)
    # pooled over the three (DESIGN 10.4): tp 1 + 1 + 1, fp 1 + 0 + 1, fn 0 + 0 + 1 -> F1 6 / (6 + 2 + 1) = 2/3,
    # not the mean of the three F1 (0.722), which would weigh b's single unit like c's three
    pooled = ceiling["labels"]["vague"]
    assert (pooled["tp"], pooled["fp"], pooled["fn"]) == (3, 2, 1)
    assert pooled["f1"] == pytest.approx(2 / 3)
    assert pooled["precision"] == pytest.approx(3 / 5) and pooled["recall"] == pytest.approx(3 / 4)
    assert ceiling["micro_f1"] == pytest.approx(2 / 3) and ceiling["macro_f1"] == pytest.approx(2 / 3)


def test_human_ceiling_needs_two_annotators() -> None:
    data = two_annotator_case()
    ceiling = f1_report(data, "m", annotators=["a"])["human_ceiling"]
    assert ceiling["micro_f1"] is None and "two annotators" in ceiling["reason"]


def single_case() -> LabelData:
    done = [(i, a) for i in ("i1", "i2") for a in ("a", "b", "c")]
    labels = [
        ("i1", "a", "criterion:c1", "yes"), ("i1", "b", "criterion:c1", "yes"), ("i1", "c", "criterion:c1", "no"),
        ("i1", "a", "criterion:c2", "no"), ("i1", "b", "criterion:c2", "partly"),
        ("i1", "c", "criterion:c2", "yes"),  # three-way tie
        ("i2", "a", "criterion:c1", "partly"), ("i2", "b", "criterion:c1", "partly"),
        ("i2", "a", "criterion:c2", "no"), ("i2", "b", "criterion:c2", "no"), ("i2", "c", "criterion:c2", "yes"),
        ("i2", "a", "criterion:c3", "yes"), ("i2", "c", "criterion:c3", "yes"),
    ]
    preds = [("i1", "j", "criterion:c1", "yes", 0.7), ("i1", "j", "criterion:c1", "no", 0.3),
             ("i1", "j", "criterion:c2", "no", 0.9),
             ("i2", "j", "criterion:c1", "yes", 0.6), ("i2", "j", "criterion:c1", "partly", 0.4),
             ("i2", "j", "criterion:c2", "no", 0.5), ("i2", "j", "criterion:c2", "yes", 0.5)]
    return make_data(SINGLE, {"i1": ["c1", "c2"], "i2": ["c1", "c2", "c3"]}, done, labels, preds)


def test_single_choice_accuracy_and_per_label() -> None:
    gold, ties = gold_labels(single_case())
    assert ties == 1
    chosen = gold[gold["value"] == 1].set_index(["item_id", "target"])["label"].to_dict()
    assert chosen == {("i1", "criterion:c1"): "yes", ("i2", "criterion:c1"): "partly",
                      ("i2", "criterion:c2"): "no", ("i2", "criterion:c3"): "yes"}
    report = f1_report(single_case(), "j")
    # predictions: i1c1 yes (right), i2c1 yes (gold partly), i2c2 no (0.5 vs 0.5: earlier label; right),
    # i2c3 none (no score) -> wrong
    y_true = ["yes", "partly", "no", "yes"]
    y_pred = ["yes", "yes", "no", ""]
    assert report["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred)) == 0.5
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=["no", "partly", "yes"],
                                                 zero_division=0)
    for k, lab in enumerate(["no", "partly", "yes"]):
        assert (report["labels"][lab]["recall"] or 0) == pytest.approx(r[k])
        assert report["labels"][lab]["support"] == s[k]
    assert report["labels"]["partly"]["precision"] is None
    _, _, micro, _ = precision_recall_fscore_support(y_true, y_pred, labels=["no", "partly", "yes"],
                                                     average="micro")
    assert report["micro_f1"] == pytest.approx(micro)
    fps = report["errors"]["false_positives"]
    assert [(e["target"], e["label"], e["gold"]) for e in fps] == [("criterion:c1", "yes", "partly")]
    assert len(report["errors"]["false_negatives"]) == 2
    assert report["human_ceiling"]["accuracy"] is not None


def test_single_choice_human_ceiling_by_hand() -> None:
    ceiling = f1_report(single_case(), "j")["human_ceiling"]["annotators"]
    # c against a+b: i1c1 yes (c no: wrong), i1c2 tie, i2c1 partly (c gave none: not counted),
    # i2c2 no (c yes: wrong), i2c3 yes from a alone (c yes: right) -> 1/3
    assert ceiling["c"]["units"] == 3
    assert ceiling["c"]["accuracy"] == pytest.approx(1 / 3)
    # a against b+c: i1c1 tie(yes,no), i1c2 tie, i2c1 partly (a partly), i2c2 tie(no,yes), i2c3 yes -> 2/2
    assert ceiling["a"]["accuracy"] == pytest.approx(1.0) and ceiling["a"]["units"] == 2
    # pooled: every annotator's units together, so c's three units weigh three times one unit of another
    pooled = f1_report(single_case(), "j")["human_ceiling"]
    right = sum(e["accuracy"] * e["units"] for e in ceiling.values())
    assert pooled["units"] == sum(e["units"] for e in ceiling.values())
    assert pooled["accuracy"] == pytest.approx(right / pooled["units"])


def test_graded_metric_gets_calibration_on_the_same_gold() -> None:
    report = f1_report(two_annotator_case(), "m")
    v = report["labels"]["vague"]
    # vague units with gold: i1c1 (1, .9), i2c1 (1, .4), i2c2 (0, .6) -> Brier (.01 + .36 + .36) / 3
    assert v["brier"] == pytest.approx((0.01 + 0.36 + 0.36) / 3)
    assert sum(b[2] for b in v["reliability"]) == v["units"] == 3
    data = two_annotator_case()
    binary = make_data(MULTI, {"i1": ["c1", "c2"], "i2": ["c1", "c2"]}, data.done.values.tolist(),
                       data.labels.values.tolist(), predictions=[("i1", "m", "criterion:c1", "vague", 1.0)])
    assert "ece" not in f1_report(binary, "m")["labels"]["vague"]


def test_sweep_points_match_the_figures_at_those_thresholds() -> None:
    data = random_data(4)
    report = f1_report(data, "m")
    for label, sweep in report["sweep"].items():
        pts = sweep["points"]
        for t, p, r, f in (pts[0], pts[len(pts) // 3], pts[2 * len(pts) // 3], pts[-1]):
            at = f1_report(data, "m", threshold=t)["labels"][label]
            assert (p, r, f) == (pytest.approx(at["precision"]) if at["precision"] is not None else None,
                                 pytest.approx(at["recall"]) if at["recall"] is not None else None,
                                 pytest.approx(at["f1"]) if at["f1"] is not None else None), (label, t)
        best = max(f for _, _, _, f in sweep["points"] if f is not None)
        assert sweep["best_f1"] == pytest.approx(best)


@pytest.mark.parametrize("seed", [7, 8])
def test_single_choice_matches_scikit_learn_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cats = ["no", "partly", "yes"]
    units = {f"i{k}": [f"c{j}" for j in range(1, 4)] for k in range(30)}
    done, labels, preds = [], [], []
    for item, cids in units.items():
        for a in ("a", "b", "c", "d"):
            if rng.random() < 0.85:
                done.append((item, a))
                for c in cids:
                    if rng.random() < 0.9:
                        labels.append((item, a, f"criterion:{c}", cats[rng.integers(3)]))
        if rng.random() < 0.8:
            for c in cids:
                for cat in cats:
                    if rng.random() < 0.5:
                        preds.append((item, "j", f"criterion:{c}", cat, round(float(rng.random()), 1)))
    data = make_data(SINGLE, units, done, labels, preds)
    scored = set(data.scored["item_id"])
    finished = set(map(tuple, data.done.values.tolist()))
    y_true, y_pred, ties = [], [], 0
    for item, cids in units.items():
        if item not in scored:
            continue
        for c in cids:
            target = f"criterion:{c}"
            votes = [lab for i, a, t, lab in labels if i == item and t == target and (i, a) in finished]
            if not votes:
                continue
            counts = {cat: votes.count(cat) for cat in cats}
            top = max(counts.values())
            if sum(v == top for v in counts.values()) > 1:
                ties += 1
                continue
            y_true.append(max(counts, key=counts.get))
            scores = {cat: 0.0 for cat in cats}
            scores.update({lab: s for i, _, t, lab, s in preds if i == item and t == target})
            best = max(scores.values())
            y_pred.append("" if best <= 0 else next(cat for cat in cats if scores[cat] == best))
    report = f1_report(data, "j")
    assert report["ties_excluded"] == ties and report["units"] == len(y_true)
    assert report["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=cats, zero_division=0)
    for k, cat in enumerate(cats):
        assert (report["labels"][cat]["f1"] or 0.0) == pytest.approx(f[k])
        assert (report["labels"][cat]["precision"] or 0.0) == pytest.approx(p[k])
        assert report["labels"][cat]["support"] == s[k]
    _, _, micro, _ = precision_recall_fscore_support(y_true, y_pred, labels=cats, average="micro")
    assert report["micro_f1"] == pytest.approx(micro)
