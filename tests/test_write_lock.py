"""Long writers keep the project's write lock only for their last, short transaction (issue: a long import or
merge made other writers wait past their patience). While an import reads its file, a labels import checks its
rows, or a merge reads the other project, another connection can take the write lock at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core import Project
from annotator.core.merge import merge_projects
from annotator.core.store.label_batch import LabelRowIn, store_label_rows
from backends import lock_is_free, rubric_records, write_jsonl


def _lock_is_free(project: Project) -> bool:
    return lock_is_free(Path(project.url.removeprefix("sqlite:///")))


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "project.sqlite", taxonomies=["rift"]) as p:
        p.import_items([write_jsonl(tmp_path / "first.jsonl", rubric_records(5))])
        yield p


def test_an_import_reading_its_file_leaves_the_lock_free(project, tmp_path):
    records = [dict(r, id=f"n{i}") for i, r in enumerate(rubric_records(3000))]
    path = write_jsonl(tmp_path / "more.jsonl", records)
    free: list[bool] = []
    project.import_items([path], progress=lambda done, total: free.append(_lock_is_free(project)))
    assert len(free) > 1 and all(free)
    assert project.items.count() == 3005


def test_a_labels_import_checking_its_rows_leaves_the_lock_free(project):
    free: list[bool] = []

    def rows():
        for i in range(5):
            free.append(_lock_is_free(project))
            yield LabelRowIn("mem", i + 2, f"r{i:04d}", "rift", "zoe", "item", "low_signal")

    assert store_label_rows(project, [rows()]).labels_added == 5
    assert free == [True] * 5


def test_a_merge_reading_the_other_file_leaves_the_lock_free(project, tmp_path, monkeypatch):
    with Project.create(tmp_path / "bob.sqlite", taxonomies=["rift"]) as bob:
        bob.import_items([write_jsonl(tmp_path / "bob.jsonl", rubric_records(8))])
        bob.labels.add("r0007", "rift", "bob", "item", "low_signal")
    import annotator.core.merge as merge

    plan = merge._plan
    free: list[bool] = []

    def watched(*args):
        free.append(_lock_is_free(project))
        return plan(*args)

    monkeypatch.setattr(merge, "_plan", watched)
    assert merge_projects(project, [tmp_path / "bob.sqlite"]).counts["items"] == 3
    assert free == [True]

