"""The sample project a new user opens first: every sample file imported, with the sample annotators' labels
and the metrics' predictions, and a rebuild that changes nothing unless asked to."""

from __future__ import annotations

import csv
import json

import pytest

from annotator.core import Project
from annotator.core.export import long_labels_frame
from annotator.core.sample import ITEM_FILES, build_sample_project, sample_dir


def csv_rows(name: str) -> list[dict]:
    with (sample_dir() / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_sample_item_is_in_the_project(sample_project):
    records = sum(1 for name in ITEM_FILES if (sample_dir() / name).exists()
                  for line in (sample_dir() / name).read_text(encoding="utf-8").splitlines() if line.strip())
    with Project.open(sample_project) as project:
        info = project.info()
        assert sum(info["items"].values()) == records
        assert all(n > 0 for n in info["items"].values())
        assert info["taxonomies"] == ["rift", "reasoning_errors", "step_rating", "caption_verdict", "caption_errors"]
        captions = [s.id for s in project.items.page(limit=10_000) if s.kind == "caption"]
        assert captions and all(project.items.image_bytes(c).startswith(b"\x89PNG") for c in captions)


def test_the_sample_labels_are_in_the_project(sample_project):
    if not (sample_dir() / "labels.csv").exists():
        pytest.skip("sample_data/labels.csv is not written yet")
    rows = csv_rows("labels.csv")
    given = {(r["item_id"], r["taxonomy"], r["annotator"], r["target"], r["label"]) for r in rows if r["label"]}
    done = {(r["item_id"], r["taxonomy"], r["annotator"]) for r in rows}
    notes = {(r["item_id"], r["taxonomy"], r["annotator"], r["target"]): r["note"] for r in rows if r["note"]}
    annotators = {r["annotator"] for r in rows}
    with Project.open(sample_project) as project:
        frame = long_labels_frame(project)
        frame = frame[frame["annotator"].isin(annotators)]
        stored = {tuple(r) for r in frame[["item_id", "taxonomy", "annotator", "target", "label"]].values.tolist()
                  if r[4]}
        assert stored == given
        assert {tuple(r) for r in frame[["item_id", "taxonomy", "annotator"]].values.tolist()} == done
        for (item_id, tax, ann, target), text in notes.items():
            assert project.notes.get(item_id, tax, ann, target) == text
        assert set(project.annotators()) >= annotators
        for taxonomy in {r["taxonomy"] for r in rows}:
            assert len(project.label_data(taxonomy).annotators) >= 2  # enough people for agreement


def test_the_sample_predictions_are_in_the_project(sample_project):
    if not (sample_dir() / "predictions.csv").exists():
        pytest.skip("sample_data/predictions.csv is not written yet")
    rows = csv_rows("predictions.csv")
    with Project.open(sample_project) as project:
        for metric in {r["metric"] for r in rows}:
            expected = {(r["item_id"], r["target"], r["label"], float(r["score"] or 1)) for r in rows
                        if r["metric"] == metric and r["label"]}
            items = {r["item_id"] for r in rows if r["metric"] == metric}
            taxonomy = next(r["taxonomy"] for r in rows if r["metric"] == metric)
            stored = {(p.item_id, p.target, p.label, p.score) for i in items
                      for p in project.predictions.for_item(i, taxonomy, metric)}
            assert stored == expected, metric
            assert metric in project.predictions.metrics(taxonomy)


def test_building_again_keeps_the_project_unless_fresh(sample_copy):
    with Project.open(sample_copy) as project:
        project.labels.add(project.items.page(limit=1)[0].id, "rift", "zoe", "item", "low_signal")
        changed = project.info()
    assert build_sample_project(sample_copy) == sample_copy
    with Project.open(sample_copy) as project:
        assert project.info() == changed
    messages: list[str] = []
    build_sample_project(sample_copy, fresh=True, progress=messages.append)
    with Project.open(sample_copy) as project:
        assert "zoe" not in project.annotators()
    assert messages[0].startswith("imported ")
    assert not list(sample_copy.parent.glob("*.building*"))


def test_the_default_place_is_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    from annotator.core.sample import default_sample_path

    assert default_sample_path() == tmp_path / "home" / "sample.sqlite"


def test_sample_info_is_plain_json(sample_project):
    with Project.open(sample_project) as project:
        text = json.dumps(project.info())
    assert json.loads(text)["labels"] > 0
