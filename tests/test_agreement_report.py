"""The agreement report, span agreement and disagreements on LabelData built by hand."""

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest

from annotator.core.errors import NotFound
from annotator.core.stats.agreement import Cancelled, agreement_report
from annotator.core.stats.bootstrap import Undefined, bootstrap_ci
from annotator.core.stats.coefficients import (
    cohen_kappa, conger_kappa, fleiss_kappa, gwet_ac, krippendorff_alpha, percent_agreement,
)
from annotator.core.stats.masi import masi_alpha
from annotator.core.stats.registry import figures_for
from annotator.core.stats.data import LabelData, empty, SPAN_COLUMNS
from annotator.core.stats.disagreements import disagreements, sort_key
from annotator.core.taxonomy import Taxonomy

MULTI = Taxonomy.model_validate({
    "id": "modes", "name": "Failure modes", "choice": "multi",
    "labels": [
        {"id": "vague", "name": "Vague", "target": "criterion", "spans": True},
        {"id": "bundled", "name": "Bundled", "target": "criterion"},
        {"id": "missing", "name": "Missing", "target": "item"},
    ],
})
VERDICT = Taxonomy.model_validate({
    "id": "verdict", "name": "Verdict", "choice": "single", "scale": "ordinal",
    "labels": [
        {"id": "not_met", "name": "Not met", "target": "criterion"},
        {"id": "partly_met", "name": "Partly met", "target": "criterion"},
        {"id": "met", "name": "Met", "target": "criterion"},
        {"id": "not_applicable", "name": "N/A", "target": "criterion", "outside_scale": True},
    ],
})
ANNOTATORS = ["ana", "ben", "cai"]


def cohen_kappa_mean(m, weights="identity", categories=None):
    """The mean of Cohen's kappa over the pairs of rows where it is defined."""
    values = []
    for i in range(len(m)):
        for j in range(i + 1, len(m)):
            try:
                values.append(cohen_kappa(m[[i, j]], weights, categories))
            except Undefined:
                pass
    if not values:
        raise Undefined("no pair")
    return float(np.mean(values))


def build(taxonomy, items, criteria, done, labels, spans=(), field_lengths=None):
    units = [(i, "item", "item") for i in items]
    units += [(i, f"criterion:{c}", "criterion") for i in items for c in criteria]
    return LabelData(
        taxonomy=taxonomy,
        units=pd.DataFrame(units, columns=["item_id", "target", "kind"]),
        done=pd.DataFrame(done, columns=["item_id", "annotator"]),
        labels=pd.DataFrame(labels, columns=["item_id", "annotator", "target", "label"]),
        spans=pd.DataFrame(list(spans), columns=SPAN_COLUMNS) if spans else empty(SPAN_COLUMNS),
        field_lengths=field_lengths or {},
    )


def random_multi(seed=0, n_items=12, n_criteria=4, skip=("cai", "r3")):
    rng = np.random.default_rng(seed)
    items = [f"r{k}" for k in range(1, n_items + 1)]
    done = [(i, a) for i in items for a in ANNOTATORS if (a, i) != skip]
    labels = []
    for i, a in done:
        for c in range(1, n_criteria + 1):
            for lab, p in (("vague", 0.35), ("bundled", 0.2)):
                if rng.random() < p:
                    labels.append((i, a, f"criterion:c{c}", lab))
        if rng.random() < 0.3:
            labels.append((i, a, "item", "missing"))
    return build(MULTI, items, [f"c{c}" for c in range(1, n_criteria + 1)], done, labels)


def test_multi_choice_report_matches_the_figures():
    data = random_multi()
    report = agreement_report(data, n_boot=200, seed=1)
    json.dumps(report, allow_nan=False)
    assert report["taxonomy"] == "modes" and report["annotators"] == ANNOTATORS
    assert report["units"] == 12 * 4 + 12
    for label in MULTI.label_ids:
        m, _ = data.presence_matrix(label, ANNOTATORS)
        entry = report["labels"][label]
        assert entry["percent_agreement"] == pytest.approx(percent_agreement(m))
        assert entry["cohen_kappa_mean"] == pytest.approx(cohen_kappa_mean(m))
        assert entry["fleiss_kappa"] == pytest.approx(fleiss_kappa(m))
        assert entry["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(m))
        assert entry["gwet_ac1"] == pytest.approx(gwet_ac(m, categories=[0, 1]))
        assert entry["conger_kappa"] == pytest.approx(conger_kappa(m, categories=[0, 1]))
        for a, name in enumerate(ANNOTATORS):
            row = m[a][~np.isnan(m[a])]
            assert entry["prevalence"][name] == pytest.approx(row.mean())
        lo, hi = entry["krippendorff_alpha_ci"]
        assert lo <= hi
    for name in [f.name for f in figures_for("binary", 3)]:
        values = [report["labels"][lab][name] for lab in MULTI.label_ids]
        assert report["overall"][name] == pytest.approx(np.mean(values))
        assert report["overall"][f"{name}_ci"] is not None


def test_masi_alpha_in_the_report_pools_label_sets_over_units():
    data = random_multi(3)
    report = agreement_report(data, n_boot=0)
    grids = {a: [] for a in ANNOTATORS}
    done = set(zip(data.done["item_id"], data.done["annotator"]))
    given = {}
    for i, a, t, lab in data.labels.itertuples(index=False):
        given.setdefault((i, t, a), set()).add(lab)
    for kind in ("criterion", "item"):
        for i, t in zip(data.units_for(kind)["item_id"], data.units_for(kind)["target"]):
            for a in ANNOTATORS:
                grids[a].append(given.get((i, t, a), set()) if (i, a) in done else None)
    assert report["overall"]["masi_alpha"] == pytest.approx(masi_alpha([grids[a] for a in ANNOTATORS]))
    assert report["overall"]["masi_alpha_ci"] is None  # n_boot=0 skips intervals


def test_pairs_and_confusion():
    data = random_multi(4)
    report = agreement_report(data, n_boot=50)
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    assert list(pairs) == [("ana", "ben"), ("ana", "cai"), ("ben", "cai")]
    assert pairs[("ana", "ben")]["units"] == 60 and pairs[("ana", "cai")]["units"] == 55
    for (a, b), p in pairs.items():
        i, j = ANNOTATORS.index(a), ANNOTATORS.index(b)
        kappas, pas = [], []
        for label in MULTI.label_ids:
            m, _ = data.presence_matrix(label, ANNOTATORS)
            kappas.append(cohen_kappa_mean(m[[i, j]]))
            pas.append(percent_agreement(m[[i, j]]))
        assert p["cohen_kappa"] == pytest.approx(np.mean(kappas))
        assert p["percent_agreement"] == pytest.approx(np.mean(pas))
        conf = report["confusion"][f"{a}|{b}"]
        assert conf["labels"] == ["absent", "present"]
        assert np.sum(conf["matrix"]) == sum(np.sum(cell) for cell in conf["by_label"].values())
        for label, cell in conf["by_label"].items():
            m, _ = data.presence_matrix(label, ANNOTATORS)
            both = ~np.isnan(m[i]) & ~np.isnan(m[j])
            assert np.sum(cell) == both.sum()
            assert cell[1][1] == int(((m[i] == 1) & (m[j] == 1)).sum())


def test_report_is_reproducible_and_seeded():
    data = random_multi(5)
    one = agreement_report(data, n_boot=100, seed=7)
    two = agreement_report(data, n_boot=100, seed=7)
    other = agreement_report(data, n_boot=100, seed=8)
    assert one == two
    assert one["overall"]["krippendorff_alpha_ci"] != other["overall"]["krippendorff_alpha_ci"]


def item_taxonomy_data(seed, n_items=40):
    tax = Taxonomy.model_validate({"id": "t", "name": "T", "labels": [
        {"id": "a", "name": "A", "target": "item"}, {"id": "b", "name": "B", "target": "item"}]})
    rng = np.random.default_rng(seed)
    items = [f"i{k}" for k in range(n_items)]
    done = [(i, a) for i in items for a in ANNOTATORS if rng.random() < 0.9]
    labels = [(i, a, "item", lab) for i, a in done for lab in ("a", "b") if rng.random() < 0.4]
    return build(tax, items, [], done, labels)


def test_one_unit_per_item_interval_equals_the_generic_bootstrap():
    # When every item is one unit, drawing items is drawing units: the same resamples as bootstrap_ci.
    data = item_taxonomy_data(2)
    report = agreement_report(data, n_boot=150, seed=9, min_shared=1)
    m, _ = data.presence_matrix("a", ANNOTATORS)
    for name, fn in (("krippendorff_alpha", krippendorff_alpha), ("fleiss_kappa", fleiss_kappa),
                     ("percent_agreement", percent_agreement), ("cohen_kappa_mean", cohen_kappa_mean),
                     ("gwet_ac1", lambda x: gwet_ac(x, categories=[0, 1]))):
        assert report["labels"]["a"][f"{name}_ci"] == pytest.approx(list(bootstrap_ci(fn, m, n=150, seed=9)),
                                                                    abs=1e-9)


def test_item_clustered_intervals_are_wider_on_clustered_errors():
    """Criteria of one rubric share its difficulty: annotators agree on easy rubrics and split on hard ones.
    Resampling criteria as if independent understates the spread; resampling rubrics does not."""
    tax = Taxonomy.model_validate({"id": "t", "name": "T", "labels": [{"id": "a", "name": "A", "target": "criterion"}]})
    rng = np.random.default_rng(0)
    items = [f"r{k}" for k in range(40)]
    crits = [f"c{c}" for c in range(1, 11)]
    done = [(i, a) for i in items for a in ANNOTATORS]
    labels = []
    for i in items:
        hard = rng.random() < 0.5
        for c in crits:
            truth = rng.random() < 0.4
            for a in ANNOTATORS:
                flip = rng.random() < (0.45 if hard else 0.02)
                if truth ^ flip:
                    labels.append((i, a, f"criterion:{c}", "a"))
    data = build(tax, items, crits, done, labels)
    report = agreement_report(data, n_boot=400, seed=3)
    m, _ = data.presence_matrix("a", ANNOTATORS)
    unit_lo, unit_hi = bootstrap_ci(krippendorff_alpha, m, n=400, seed=3)
    lo, hi = report["labels"]["a"]["krippendorff_alpha_ci"]
    assert lo <= report["labels"]["a"]["krippendorff_alpha"] <= hi
    assert hi - lo > 1.3 * (unit_hi - unit_lo)


def test_undefined_label_has_reason_and_json_has_no_nan():
    data = random_multi(6)
    data = LabelData(taxonomy=data.taxonomy, units=data.units, done=data.done,
                     labels=data.labels[data.labels["label"] != "missing"])
    report = agreement_report(data, n_boot=30)
    text = json.dumps(report, allow_nan=False)
    entry = report["labels"]["missing"]
    assert entry["krippendorff_alpha"] is None and "no variation" in entry["krippendorff_alpha_reason"]
    assert entry["krippendorff_alpha_ci"] is None
    assert entry["percent_agreement"] == 1.0
    assert "NaN" not in text
    defined = [report["labels"][lab]["krippendorff_alpha"] for lab in ("vague", "bundled")]
    assert report["overall"]["krippendorff_alpha"] == pytest.approx(np.mean(defined))


def test_choosing_annotators_and_unknown_names():
    data = random_multi(7)
    report = agreement_report(data, annotators=["cai", "ana"], n_boot=20)
    assert report["annotators"] == ["cai", "ana"]
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("cai", "ana")]
    assert report["units"] == 12 * 5  # r3 was finished by ana, so its units still count
    assert {(p["a"], p["b"]): p["units"] for p in report["pairs"]} == {("cai", "ana"): 55}
    alone = agreement_report(data, annotators=["ben"], n_boot=20)
    assert alone["overall"]["cohen_kappa_mean"] is None
    assert alone["overall"]["cohen_kappa_mean_reason"].startswith("undefined for every label")
    assert alone["pairs"] == [] and alone["pairs_left_out"] == 0
    assert report["annotators_left_out"] == {"ben": 12}
    with pytest.raises(NotFound, match="zed"):
        agreement_report(data, annotators=["ana", "zed"])


def test_progress_and_cancel():
    data = random_multi(8)
    seen = []
    agreement_report(data, n_boot=10, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)
    calls = []
    with pytest.raises(Cancelled):
        agreement_report(data, n_boot=10, progress=lambda d, t: calls.append(d), cancel=lambda: len(calls) >= 2)


def verdict_data(seed=0, n_items=15):
    rng = np.random.default_rng(seed)
    items = [f"cap{k}" for k in range(1, n_items + 1)]
    done = [(i, a) for i in items for a in ANNOTATORS]
    labels = []
    for i in items:
        for c in range(1, 4):
            truth = rng.integers(0, 4)
            for a in ANNOTATORS:
                pick = truth if rng.random() < 0.7 else rng.integers(0, 4)
                if rng.random() < 0.95:
                    labels.append((i, a, f"criterion:c{c}", VERDICT.label_ids[pick]))
    return build(VERDICT, items, ["c1", "c2", "c3"], done, labels)


def test_single_choice_ordinal_report():
    data = verdict_data()
    report = agreement_report(data, n_boot=100)
    json.dumps(report, allow_nan=False)
    m, _, order = data.category_matrix(ANNOTATORS)
    assert report["units"] == 45
    overall = report["overall"]
    assert overall["percent_agreement"] == pytest.approx(percent_agreement(m))
    assert overall["krippendorff_alpha"] == pytest.approx(krippendorff.alpha(m, level_of_measurement="nominal"))
    cats = [0, 1, 2, 3]
    assert overall["fleiss_kappa"] == pytest.approx(fleiss_kappa(m, cats))
    assert overall["gwet_ac1"] == pytest.approx(gwet_ac(m, categories=cats))
    scaled = np.where(m == 3, np.nan, m)  # not_applicable is outside the scale
    assert overall["krippendorff_alpha_ordinal"] == pytest.approx(
        krippendorff.alpha(scaled, level_of_measurement="ordinal", value_domain=[0, 1, 2]))
    assert overall["krippendorff_alpha_interval"] == pytest.approx(
        krippendorff.alpha(scaled, level_of_measurement="interval", value_domain=[0, 1, 2]))
    assert overall["cohen_kappa_linear_mean"] == pytest.approx(cohen_kappa_mean(scaled, "linear", [0, 1, 2]))
    assert overall["cohen_kappa_quadratic"] == pytest.approx(cohen_kappa_mean(scaled, "quadratic", [0, 1, 2]))
    assert overall["gwet_ac2_quadratic"] == pytest.approx(gwet_ac(scaled, "quadratic", [0, 1, 2]))
    assert "scott_pi" not in overall  # three annotators
    assert overall["gwet_ac2_linear_ci"] is not None
    assert overall["krippendorff_alpha_ordinal_ci"] is not None
    for k, label in enumerate(order):
        binary = np.where(np.isnan(m), np.nan, (m == k).astype(float))
        assert report["labels"][label]["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(binary))
    conf = report["confusion"]["ana|ben"]
    assert conf["labels"] == order
    both = ~np.isnan(m[0]) & ~np.isnan(m[1])
    assert np.sum(conf["matrix"]) == both.sum()
    assert conf["matrix"][2][0] == int(((m[0] == 2) & (m[1] == 0)).sum())
    assert "cohen_kappa_linear" in report["pairs"][0]


def test_span_agreement_at_character_level():
    items, crits = ["t1", "t2"], ["c1"]
    done = [(i, a) for i in items for a in ANNOTATORS if (i, a) != ("t2", "cai")]
    spans = [("t1", "ana", "prompt", 0, 5, "vague"), ("t1", "ben", "prompt", 2, 5, "vague"),
             ("t2", "ana", "prompt", 1, 4, "vague"), ("t2", "cai", "prompt", 0, 4, "vague"),
             ("t2", "ben", "prompt", 6, 8, "bundled")]
    lengths = {("t1", "prompt"): 10, ("t2", "prompt"): 8}
    data = build(MULTI, items, crits, done, [], spans=spans, field_lengths=lengths)
    report = agreement_report(data, n_boot=0, min_items=1)
    t1 = np.array([[1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0, 0, 0, 0, 0], [0] * 10], dtype=float)
    # cai did not finish t2
    t2 = np.array([[0, 1, 1, 1, 0, 0, 0, 0], [0] * 8, [np.nan] * 8])
    expected = krippendorff.alpha(np.hstack([t1, t2]), level_of_measurement="nominal")
    vague = report["spans"]["vague"]
    assert vague["alpha"] == pytest.approx(expected)
    assert vague["characters"] == 18 and vague["fields"] == 2 and vague["spans"] == 4
    assert report["spans"]["bundled"]["characters"] == 8
    # a labels CSV alone does not say how long t2's prompt is: no figure, and the reason
    unknown = build(MULTI, items, crits, done, [], spans=spans, field_lengths={("t1", "prompt"): 10})
    vague = agreement_report(unknown, n_boot=0, min_items=1)["spans"]["vague"]
    assert vague["alpha"] is None and "--items" in vague["alpha_reason"] and vague["spans"] == 4


def test_disagreements_lists_units_that_differ():
    items = ["r2", "r10"]
    crits = ["c2", "c10"]
    done = [("r2", "ana"), ("r2", "ben"), ("r10", "ana"), ("r10", "ben"), ("r10", "cai")]
    labels = [("r2", "ana", "criterion:c2", "vague"), ("r2", "ben", "criterion:c2", "vague"),
              ("r2", "ana", "criterion:c10", "bundled"), ("r2", "ana", "criterion:c10", "vague"),
              ("r2", "ben", "criterion:c10", "vague"),
              ("r10", "cai", "item", "missing"),
              ("r10", "ana", "criterion:c2", "vague"), ("r10", "ben", "criterion:c2", "vague"),
              ("r10", "cai", "criterion:c2", "vague")]
    data = build(MULTI, items, crits, done, labels)
    found = disagreements(data)
    assert [(d["item_id"], d["target"]) for d in found] == [("r2", "criterion:c10"), ("r10", "item")]
    assert found[0]["labels"] == {"ana": ["vague", "bundled"], "ben": ["vague"]}
    assert found[1]["labels"] == {"ana": [], "ben": [], "cai": ["missing"]}
    assert disagreements(data, annotators=["ana", "ben"])[-1]["target"] == "criterion:c10"
    assert sort_key("c2") < sort_key("c10")


def test_disagreements_single_choice():
    data = verdict_data(2)
    m, units, order = data.category_matrix(ANNOTATORS)
    found = disagreements(data)
    expected = 0
    for u in range(m.shape[1]):
        col = ["" if np.isnan(v) else order[int(v)] for v in m[:, u]]
        expected += len(set(col)) > 1
    assert len(found) == expected
    assert all(len(v) <= 1 for d in found for v in d["labels"].values())
