"""A label key press and its undo on SQLite: once the item is known, one transaction of at most two statements
on the connection the project keeps for such writes; a refused label leaves no transaction open behind it; a
busy database is waited for and the write run again, as every other write is.

The statements are read from SQLite's own trace of the kept connection (`Database._driver`), since what is
checked is what reaches SQLite, not what the store meant to send."""

from __future__ import annotations

import sqlite3

import pytest

import annotator.core.store.database as database
from annotator.core import Project
from annotator.core.errors import NotFound
from backends import rubric_records, write_jsonl


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "project.sqlite", taxonomies=["rift", "step_rating"]) as p:
        p.import_items([write_jsonl(tmp_path / "items.jsonl", rubric_records(3))])
        yield p


def _kept(project: Project) -> sqlite3.Connection:
    return project.db._driver.driver_connection


def _traced(project: Project, action) -> list[str]:
    """The first two words of each statement SQLite ran on the kept connection during `action()`."""
    seen: list[str] = []
    _kept(project).set_trace_callback(lambda sql: seen.append(" ".join(sql.split()[:2]).upper()))
    try:
        action()
    finally:
        _kept(project).set_trace_callback(None)
    return seen


def _labels(project: Project) -> set[tuple[str, str, str]]:
    return {(lab.target, lab.label, lab.annotator) for lab in project.labels.for_item("r0000")}


def test_a_key_press_on_a_known_item_is_a_delete_and_at_most_an_insert(project):
    project.labels.toggle("r0000", "rift", "alice", "criterion:c1", "subjective")  # the item and alice are read
    give = _traced(project, lambda: project.labels.toggle("r0000", "rift", "alice", "criterion:c2", "hackable"))
    assert give == ["BEGIN IMMEDIATE", "DELETE FROM", "INSERT INTO", "COMMIT"]
    take = _traced(project, lambda: project.labels.toggle("r0000", "rift", "alice", "criterion:c2", "hackable"))
    assert take == ["BEGIN IMMEDIATE", "DELETE FROM", "COMMIT"]
    assert _labels(project) == {("criterion:c1", "subjective", "alice")}


def test_undo_and_redo_run_on_the_same_connection_and_restore_the_labels(project):
    given = project.labels.toggle("r0000", "rift", "alice", "criterion:c3", "ungrounded")
    undo = _traced(project, lambda: project.labels.apply(given.inverse()))
    assert undo == ["BEGIN IMMEDIATE", "DELETE FROM", "COMMIT"]
    assert _labels(project) == set()
    redo = _traced(project, lambda: project.labels.apply(given))
    assert redo == ["BEGIN IMMEDIATE", "SELECT LABEL.PK", "INSERT INTO", "COMMIT"]
    assert _labels(project) == {("criterion:c3", "ungrounded", "alice")}


def test_the_first_key_press_on_an_item_reads_its_units_in_the_same_transaction(project):
    project.labels.toggle("r0000", "rift", "alice", "criterion:c1", "subjective")
    first = _traced(project, lambda: project.labels.toggle("r0001", "rift", "alice", "criterion:c1", "subjective"))
    assert first[0] == "BEGIN IMMEDIATE" and first[-1] == "COMMIT"
    assert first[1:] == ["SELECT ITEM.KIND", "SELECT UNIT.TARGET", "DELETE FROM", "INSERT INTO", "COMMIT"]


def test_a_refused_label_leaves_the_lock_free_and_the_next_key_works(project):
    project.labels.toggle("r0000", "rift", "alice", "criterion:c1", "subjective")
    with pytest.raises(NotFound):
        project.labels.toggle("r0000", "rift", "alice", "criterion:c9", "subjective")  # r0000 has no c9
    with pytest.raises(NotFound):
        project.labels.toggle("nope", "rift", "alice", "criterion:c1", "subjective")
    other = sqlite3.connect(project.url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if a refused write kept its transaction
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert not _kept(project).in_transaction
    project.labels.toggle("r0000", "rift", "alice", "criterion:c2", "subjective")
    assert _labels(project) == {("criterion:c1", "subjective", "alice"), ("criterion:c2", "subjective", "alice")}


def test_a_key_press_while_another_writer_holds_the_lock_is_run_again_not_refused(project, monkeypatch):
    project.labels.toggle("r0000", "rift", "alice", "criterion:c1", "subjective")
    _kept(project).execute("PRAGMA busy_timeout=0")  # fail at once on the lock, so the retry loop is what waits
    other = sqlite3.connect(project.url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO annotator (name, kind, created_at) VALUES ('bob', 'human', '2026-01-01')")
    pauses: list[float] = []

    def pause(seconds: float) -> None:  # the other writer finishes while the key press waits its turn
        pauses.append(seconds)
        if other.in_transaction:
            other.execute("COMMIT")

    monkeypatch.setattr(database.time, "sleep", pause)
    try:
        change = project.labels.toggle("r0000", "rift", "alice", "criterion:c2", "non_atomic")
    finally:
        other.close()
    assert len(pauses) == 1
    assert [lab.label for lab in change.added] == ["non_atomic"]
    assert _labels(project) == {("criterion:c1", "subjective", "alice"), ("criterion:c2", "non_atomic", "alice")}


def test_closing_the_project_closes_the_kept_connection(project):
    project.labels.toggle("r0000", "rift", "alice", "criterion:c1", "subjective")
    kept = _kept(project)
    project.close()
    with pytest.raises(sqlite3.ProgrammingError):
        kept.execute("SELECT 1")
