"""Dawid-Skene and MACE: they beat the majority where one annotator is careless (against the simulation's
truth), and they agree with crowd-kit's implementations on the same answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from annotator.core.stats.reliability import dawid_skene, fit, mace


def simulate(accuracies: list[float], n_units: int, n_classes: int, seed: int, missing: float = 0.0):
    """Answers of annotators who give the truth with their accuracy and a uniform draw otherwise (the careless
    one answers at random); `missing` leaves that share of answers out, as a crowd design does."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_units)
    matrix = np.empty((len(accuracies), n_units))
    for a, acc in enumerate(accuracies):
        right = rng.random(n_units) < acc
        matrix[a] = np.where(right, truth, rng.integers(0, n_classes, n_units))
    if missing:
        gone = rng.random(matrix.shape) < missing
        gone[:, gone.all(axis=0)] = False  # every unit keeps at least one answer
        matrix[gone] = np.nan
    return matrix, truth


def majority(matrix: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.stack([(matrix == k).sum(axis=0) for k in range(n_classes)], axis=1)
    top = counts.max(axis=1, keepdims=True)
    tied = (counts == top).sum(axis=1) > 1
    return np.where(tied, np.nan, counts.argmax(axis=1))


def accuracy(answers: np.ndarray, truth: np.ndarray) -> float:
    """Share of units answered right, a tie (NaN) counting as wrong: a gold that leaves units out is no better."""
    return float(np.mean(answers == truth))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", ["dawid-skene", "mace"])
def test_a_reliability_model_beats_the_majority_with_one_careless_annotator(method, n_classes):
    # three careful annotators of decreasing care and one who answers at random: the majority then ties or
    # goes wrong where the careless one sides with the weakest careful one
    matrix, truth = simulate([0.85, 0.8, 0.75, 0.0], n_units=1500, n_classes=n_classes, seed=11)
    model = fit(method, matrix, n_classes)
    vote = majority(matrix, n_classes)
    assert accuracy(model.answers(), truth) > accuracy(vote, truth) + 0.04
    decided = ~np.isnan(vote)  # and it is no worse where the majority does decide
    assert accuracy(model.answers()[decided], truth[decided]) >= accuracy(vote[decided], truth[decided])
    assert list(np.argsort(-model.reliability)) == [0, 1, 2, 3]


def test_dawid_skene_reliability_is_the_accuracy_under_the_class_shares():
    matrix, truth = simulate([0.95, 0.8, 0.6, 0.0], n_units=4000, n_classes=2, seed=3)
    model = dawid_skene(matrix, 2)
    observed = [np.mean(matrix[a] == truth) for a in range(4)]
    assert np.allclose(model.reliability, observed, atol=0.03)


def test_units_nobody_answered_have_no_answer():
    matrix = np.array([[0, 1, np.nan, 1], [0, 1, np.nan, 0]])
    for method in ("dawid-skene", "mace"):
        model = fit(method, matrix, 2)
        answers = model.answers()
        assert np.isnan(answers[2])
        assert np.isnan(model.posteriors[2]).all()
        assert answers[0] == 0 and answers[1] == 1


def test_bad_codes_are_refused():
    with pytest.raises(ValueError, match="category codes"):
        dawid_skene(np.array([[0, 2]]), 2)
    with pytest.raises(ValueError, match="category codes"):
        mace(np.array([[0, 0.5]]), 2)
    with pytest.raises(ValueError, match="two categories"):
        dawid_skene(np.array([[0, 0]]), 1)
    with pytest.raises(ValueError, match="unknown reliability model"):
        fit("glad", np.array([[0, 1]]), 2)


def test_mace_is_deterministic_for_a_seed():
    matrix, _ = simulate([0.9, 0.7, 0.3, 0.0], n_units=300, n_classes=3, seed=5)
    one, two = mace(matrix, 3, seed=2), mace(matrix, 3, seed=2)
    assert np.array_equal(one.posteriors, two.posteriors)
    assert np.array_equal(one.reliability, two.reliability)


# --- against crowd-kit ------------------------------------------------------------------------------------------

def _long(matrix: np.ndarray) -> pd.DataFrame:
    ann, unit = np.nonzero(~np.isnan(matrix))
    return pd.DataFrame({"worker": ann, "task": unit, "label": matrix[ann, unit].astype(int)})


@pytest.mark.parametrize("seed,n_classes,missing", [(1, 2, 0.0), (2, 3, 0.3), (3, 4, 0.5)])
def test_dawid_skene_agrees_with_crowd_kit(seed, n_classes, missing):
    aggregation = pytest.importorskip("crowdkit.aggregation")
    matrix, _ = simulate([0.9, 0.8, 0.7, 0.5, 0.3, 0.0], n_units=300, n_classes=n_classes, seed=seed,
                         missing=missing)
    ours = dawid_skene(matrix, n_classes, max_iter=100, tol=1e-9)
    theirs = aggregation.DawidSkene(n_iter=100, tol=1e-9).fit(_long(matrix))
    probas = theirs.probas_.sort_index().reindex(columns=range(n_classes), fill_value=0.0).to_numpy()
    assert np.mean(ours.answers() == probas.argmax(axis=1)) >= 0.99
    # the same fixed point where both converge; a few units still moving after 100 steps may differ a little
    assert np.abs(ours.posteriors - probas).mean() < 0.01


@pytest.mark.parametrize("seed,n_classes,missing", [(1, 2, 0.0), (2, 3, 0.3)])
def test_mace_agrees_with_crowd_kit(seed, n_classes, missing):
    aggregation = pytest.importorskip("crowdkit.aggregation")
    from scipy.stats import spearmanr

    matrix, truth = simulate([0.9, 0.8, 0.7, 0.5, 0.3, 0.0], n_units=200, n_classes=n_classes, seed=seed,
                             missing=missing)
    ours = mace(matrix, n_classes, seed=0)
    # crowd-kit's MACE is slow (pandas per step): fewer restarts and steps than its defaults keep the test short
    theirs = aggregation.MACE(random_state=0, n_restarts=3, n_iter=30).fit(_long(matrix))
    their_labels = theirs.labels_.sort_index().to_numpy()
    assert np.mean(ours.answers() == their_labels) >= 0.95
    # competence is crowd-kit's posterior chance of "not spamming", per worker id
    their_competence = np.asarray(theirs.spamming_)[:, 1]
    assert spearmanr(ours.reliability, their_competence).statistic >= 0.9
    assert np.abs(ours.reliability - their_competence).mean() < 0.1
    assert accuracy(ours.answers(), truth) >= accuracy(their_labels, truth) - 0.02


# --- over a project's labels ----------------------------------------------------------------------------------

def test_model_gold_follows_the_careful_annotators_on_a_project(tmp_path, make_jsonl):
    """Four annotators label `subjective` on 60 criteria; carol is careless (right only half of the time). Where
    carol and one careful annotator stand against the other two the majority ties; the model, knowing carol,
    sides with the careful ones, and it finds carol the least reliable."""
    from annotator.core import Project
    from annotator.core.stats.reliability import model_gold

    rng = np.random.default_rng(2)
    records = [{"id": f"r{k:02d}", "kind": "rubric", "prompt": "p", "criteria": ["a"]} for k in range(60)]
    truth = rng.integers(0, 2, 60)
    with Project.create(tmp_path / "p.sqlite", taxonomies=["rift"]) as project:
        project.import_items([make_jsonl("r.jsonl", records)])
        care = {"alice": 0.95, "bob": 0.9, "dan": 0.85, "carol": 0.5}
        for name, p_right in care.items():
            for k in range(60):
                says = truth[k] if rng.random() < p_right else 1 - truth[k]
                if says:
                    project.labels.toggle(f"r{k:02d}", "rift", name, "criterion:c1", "subjective")
                project.completion.set_done(f"r{k:02d}", "rift", name)
        data = project.label_data("rift")
    votes, _ = data.presence_matrix("subjective")
    share = np.nanmean(votes, axis=0)
    majority_right = int(sum((share > 0.5) == truth) - sum((share == 0.5) & (truth == 0)))  # ties count as wrong
    for method in ("dawid-skene", "mace"):
        gold = model_gold(data, method)
        rows = gold.table[gold.table["label"] == "subjective"].sort_values("item_id")
        assert len(rows) == 60 and set(rows["source"]) == {method}
        decided = rows[~rows["tie"]]
        right = sum(v == truth[int(i[1:])] for i, v in zip(decided["item_id"], decided["value"]))
        assert right >= majority_right + 2
        assert min(gold.reliability, key=gold.reliability.get) == "carol"
        assert gold.answers["alice"] == 60 * 8  # 5 criterion labels on one criterion + 3 rubric labels, 60 items


def test_f1_and_alt_test_take_a_reliability_gold(sample_copy, run_cli):
    """`--gold` on the sample project: the F1 report says which gold it used and leaves no majority ties; an
    adjudicated unit keeps the reviewer's answer; alt-test adds each one's agreement with that gold."""
    import json

    from annotator.core import Project
    from annotator.core.stats.f1 import gold_labels

    code, out, err = run_cli("f1", sample_copy, "--metric", "heuristic", "--gold", "dawid-skene", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["gold"] == "dawid-skene" and report["micro_f1"] is not None
    code, out, _ = run_cli("f1", sample_copy, "--metric", "heuristic", "--json")
    assert json.loads(out)["gold"] == "majority"
    with Project.open(sample_copy) as project:
        data = project.label_data("rift")
        gold, _ = gold_labels(data, method="mace")
        assert set(gold["source"]) <= {"mace", "adjudicated"}
        row = gold[(gold["source"] == "mace")].iloc[0]
        project.gold.set(row["item_id"], "rift", row["target"], [] if row["value"] else [row["label"]])
        data = project.label_data("rift")
    settled = gold_labels(data, method="mace")[0]
    mine = settled[(settled["item_id"] == row["item_id"]) & (settled["target"] == row["target"])
                   & (settled["label"] == row["label"])]
    assert mine["source"].tolist() == ["adjudicated"] and mine["value"].tolist() == [1 - row["value"]]
    code, out, err = run_cli("alt-test", sample_copy, "--metric", "heuristic", "--gold", "dawid-skene", "--json")
    assert code == 0, err
    found = json.loads(out)["gold_agreement"]
    assert found["gold"] == "dawid-skene"
    assert 0 <= found["metric"]["accuracy"] <= 1 and found["metric"]["decisions"] > 0
    assert set(found["humans"]) == {"alice", "bob", "chen"}
    code, _, err = run_cli("f1", sample_copy, "--metric", "heuristic", "--gold", "glad")
    assert code == 2
