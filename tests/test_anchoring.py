"""Anchoring: agreement with a metric on items done with its suggestions on screen against items done without."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from annotator.core import Project
from annotator.core.model import Prediction
from annotator.core.stats.anchoring import _kappa, anchoring_report

N_ITEMS = 40


@pytest.fixture
def project(tmp_path, make_jsonl):
    records = [{"id": f"r{k:02d}", "kind": "rubric", "prompt": f"Task {k}", "criteria": ["Is clear", "Is short"]}
               for k in range(N_ITEMS)]
    with Project.create(tmp_path / "p.sqlite", taxonomies=["rift"]) as p:
        p.import_items([make_jsonl("r.jsonl", records)])
        yield p


def test_suggestions_that_pull_annotators_show_as_higher_agreement(project):
    """The metric says `subjective` on c1 of every even item. Alice saw suggestions on the first half of the
    items and followed them there; on the second half she labels c1 of every third item, whatever the metric
    says. Agreement with the metric is then perfect with suggestions and near chance without."""
    rng = np.random.default_rng(0)
    preds = [Prediction(item_id=f"r{k:02d}", taxonomy="rift", metric="judge", target="criterion:c1",
                        label="subjective", score=0.9) for k in range(0, N_ITEMS, 2)]
    project.predictions.store("rift", "judge", [f"r{k:02d}" for k in range(N_ITEMS)], preds)
    for k in range(N_ITEMS):
        item = f"r{k:02d}"
        if k < N_ITEMS // 2:
            project.suggestions.record_shown(item, "rift", "alice", "judge")
            if k % 2 == 0:
                project.labels.toggle(item, "rift", "alice", "criterion:c1", "subjective")
        elif k % 3 == 0 or rng.random() < 0.1:
            project.labels.toggle(item, "rift", "alice", "criterion:c1", "subjective")
        project.completion.set_done(item, "rift", "alice")
    data = project.label_data("rift")
    report = anchoring_report(data, "judge", project.suggestions.shown("rift"), resamples=300)
    assert report["with"]["items"] == 20 and report["without"]["items"] == 20
    # 20 items x 2 criteria x 5 criterion labels + 20 items x 3 rubric labels
    assert report["with"]["decisions"] == 20 * (2 * 5 + 3)
    assert report["with"]["cohen_kappa"] == pytest.approx(1.0)
    assert report["without"]["cohen_kappa"] < 0.4
    low, high = report["difference"]["cohen_kappa_ci"]
    assert 0 < low <= report["difference"]["cohen_kappa"] <= high


def test_no_suggestions_shown_says_so(project):
    project.predictions.store("rift", "judge", ["r00"], [])
    project.completion.set_done("r00", "rift", "alice")
    report = anchoring_report(project.label_data("rift"), "judge", project.suggestions.shown("rift"),
                              resamples=50)
    assert report["with"]["decisions"] == 0
    assert report["with"]["cohen_kappa"] is None
    assert "no annotator was shown" in report["note"]


def test_only_the_first_metric_shown_is_recorded(project):
    assert project.suggestions.record_shown("r01", "rift", "bob", "judge")
    assert not project.suggestions.record_shown("r01", "rift", "bob", "heuristic")
    shown = project.suggestions.shown("rift")
    assert shown.to_dict("records") == [{"item_id": "r01", "annotator": "bob", "metric": "judge"}]
    assert project.suggestions.was_shown("r01", "rift", "bob")
    assert not project.suggestions.was_shown("r01", "rift", "alice")


def test_kappa_of_confusion_matrices_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(4)
    x, y = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    y[:120] = x[:120]
    confusion = pd.crosstab(x, y).to_numpy().astype(float)
    assert float(_kappa(confusion)) == pytest.approx(cohen_kappa_score(x, y))
    assert np.isnan(_kappa(np.array([[5.0, 0.0], [0.0, 0.0]])))
