"""Metric-versus-human figures on the sample project (DESIGN 10.4): the alternative annotator test counts
rubrics and criteria, not (unit, label) pairs, and the human ceiling does not move for a newcomer's two items."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from annotator.core.stats.alt_test import alt_test, label_sets, metric_presence, set_similarity
from annotator.core.stats.f1 import f1_report
from annotator.core.store import Project


@pytest.fixture(scope="module")
def rift(sample_project):
    with Project.open(sample_project) as project:
        return project.label_data("rift")


def test_heuristic_on_rift_is_tested_on_rubrics_and_criteria(rift) -> None:
    """Pooled over (unit, label) pairs the test counted 935 items, most of them labels nobody uses, and gave
    p-values near 1e-169. Over units it counts the 169 criteria and 30 rubrics, and each human's p-value
    reflects how close the metric really comes to that human."""
    units = rift.units
    criteria = int(((units["kind"] == "criterion") & units["item_id"].isin(rift.done["item_id"])).sum())
    r = alt_test(rift, "heuristic")
    assert r["items"] == criteria + 30 == 199
    assert [a["items"] for a in r["annotators"]] == [199, 199, 179]  # chen finished 27 of the 30 rubrics
    assert all(a["p_value"] > 1e-20 for a in r["annotators"])
    # the p-value is the t-test of the per-unit d computed from the label sets, nothing else
    presence = {}
    for lab in rift.taxonomy.label_ids:
        matrix, found_units = rift.presence_matrix(lab, rift.annotators)
        presence[lab] = (matrix, metric_presence(rift, "heuristic", lab, found_units, 0.5), found_units)
    found = label_sets(presence, rift)
    for j, row in enumerate(r["annotators"]):
        w_metric, w_human, _, _ = set_similarity(found, j)
        d = w_human.astype(float) - w_metric.astype(float)
        assert abs(d.mean()) < 0.05  # the heuristic is about as close to the others as each human
        assert row["p_value"] == pytest.approx(stats.ttest_1samp(d, 0.2, alternative="less").pvalue)
    # the per-label tests stay binary, one (unit, label) answer per unit of the label's kind
    assert r["per_label"]["hackable"]["items"] == criteria
    assert r["per_label"]["low_signal"]["items"] == 30
    # a stricter margin than the experts' 0.2 tells the metric apart from the humans
    assert alt_test(rift, "heuristic", epsilon=0.05)["passed"] is False


def test_alt_test_text_says_in_words_what_passed(run_cli, sample_copy) -> None:
    code, out, err = run_cli("alt-test", sample_copy, "--metric", "keyword-baseline")
    assert code == 0, err
    assert ("'keyword-baseline' does not pass the alternative annotator test: the metric cannot replace an "
            "annotator: it wins against 0 of 3 human annotators") in out
    rows = [line for line in out.splitlines() if line.split()[:1] in (["alice"], ["bob"], ["chen"])]
    assert len(rows) == 3 and all(line.endswith("human better") for line in rows)
    assert "True" not in out and "False" not in out
    assert "199 items (units)" in out
    assert "label by label" in out and "  hackable " in out  # the per-label tests beside the pooled one
    code, out, err = run_cli("alt-test", sample_copy, "--metric", "heuristic")
    assert "the metric can replace an annotator: it wins against 3 of 3" in out
    assert out.count("metric at least as good") == 3


def test_json_of_alt_test_and_f1_holds_the_kappa_partitions(run_cli, sample_copy) -> None:
    from annotator.core.stats.partitions import agreement_partitions

    with Project.open(sample_copy) as project:
        data = project.label_data("rift")
    expected = json.loads(json.dumps(agreement_partitions(data, data.metrics)))
    for command in ("alt-test", "f1"):
        code, out, err = run_cli(command, sample_copy, "--metric", "keyword-baseline", "--json")
        assert code == 0, err
        got = json.loads(out)["partitions"]
        assert got == expected
        assert got["pair_counts"] == {"human_human": {"pairs": 3, "defined": 3},
                                      "human_metric": {"pairs": 9, "defined": 9},
                                      "metric_metric": {"pairs": 3, "defined": 3}}
        assert got["overall"]["human_human"] is not None


def _ceiling(path) -> dict:
    with Project.open(path) as project:
        data = project.label_data("rift")
    return f1_report(data, "heuristic")["human_ceiling"]


def test_a_two_item_annotator_barely_moves_the_human_ceiling(sample_copy) -> None:
    """A newcomer finishes two rubrics without labelling anything. Averaged over annotators the ceiling for
    hackable fell from 0.854 to 0.640; pooled over the units each human finished, it moves by a hair."""
    before = _ceiling(sample_copy)
    with Project.open(sample_copy) as project:
        for item in ("if-01", "if-02"):
            project.completion.set_done(item, "rift", "newcomer")
    after = _ceiling(sample_copy)
    assert "newcomer" in after["annotators"] and "newcomer" not in before["annotators"]
    assert after["annotators"]["newcomer"]["units"] < 20
    for key in ("micro_f1", "macro_f1"):
        assert abs(after[key] - before[key]) < 0.03, key
    assert abs(after["labels"]["hackable"]["f1"] - before["labels"]["hackable"]["f1"]) < 0.03
    # the mean over annotators, what the ceiling used to be, moves by far more: the test can tell them apart
    def mean_f1(ceiling: dict) -> float:
        return float(np.mean([e["labels"]["hackable"]["f1"] or 0 for e in ceiling["annotators"].values()]))

    assert mean_f1(before) - mean_f1(after) > 0.15


def test_f1_text_and_html_say_what_the_ceiling_rests_on(run_cli, sample_copy, tmp_path) -> None:
    ceiling = _ceiling(sample_copy)
    counts = ", ".join(f"{name} {e['units']}" for name, e in ceiling["annotators"].items())
    assert counts == "alice 199, bob 198, chen 178"
    code, out, err = run_cli("f1", sample_copy, "--metric", "heuristic", "--html", tmp_path / "f1.html")
    assert code == 0, err
    assert f"human ceiling: micro F1 {ceiling['micro_f1']:.3f}   macro F1 {ceiling['macro_f1']:.3f}" in out
    assert f"each of 3 annotators against the majority of the others on the units they finished ({counts})" in out
    html = (tmp_path / "f1.html").read_text(encoding="utf-8")
    assert f"units they finished ({counts}) and adds up tp, fp and fn" in html
    assert f"<td>{ceiling['micro_f1']:.3f}</td>" in html
