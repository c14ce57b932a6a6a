"""Metric-versus-human figures on the sample project (DESIGN 10.4): the alternative annotator test counts
rubrics and criteria, not (unit, label) pairs, and the human ceiling does not move for a newcomer's two items."""

from __future__ import annotations

import pytest
from scipy import stats

from annotator.core.stats.alt_test import alt_test, label_sets, metric_presence, set_similarity
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
