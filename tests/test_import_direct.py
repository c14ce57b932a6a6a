"""An import into a project that holds no item writes each item once, in the one transaction it ends with
(`staging.may_write_directly`); any other import stages its rows first. Both must leave the same project, and
the direct one must leave nothing behind when the input is bad or its transaction has to start again."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core import Project
from annotator.core.errors import InputError
from annotator.core.store import staging
from backends import lock_is_free, write_jsonl

TESTS = Path(__file__).resolve().parent
FORMATS_DATA = TESTS / "data" / "formats"
REAL = TESTS / "data" / "real"
SAMPLE = TESTS.parent / "sample_data"
# Items without images, so that a file of them can be written anywhere
RUBRIC = {"id": "r1", "kind": "rubric", "prompt": "Explain the rule.", "criteria": ["Names it", "Gives an example"]}
OTHER = {"id": "r2", "kind": "rubric", "prompt": "Explain the field.", "criteria": ["Explains it"]}
# Every published file we keep (tests/data/real), the sample project's files and the format examples: traces
# with labels from several labelers (PRM800K), first-error marks (ProcessBench), captions with images.
FILE_SETS = {
    "real": [REAL / name for name in ("prm800k.jsonl", "rift_sample_rubrics.jsonl", "healthbench.jsonl",
                                      "healthbench_professional.jsonl", "advancedif.jsonl", "wildchecklists.jsonl",
                                      "openrubrics.jsonl", "researchrubrics.jsonl", "autorubrics.jsonl",
                                      "processbench.json")],
    "sample": [SAMPLE / name for name in ("rubrics.jsonl", "rubrics_rift.jsonl", "rubrics_healthbench.jsonl",
                                          "captions.jsonl", "traces.jsonl", "traces_prm800k.jsonl",
                                          "traces_processbench.jsonl")],
    "formats": [FORMATS_DATA / name for name in ("prm800k_good.jsonl", "items_good.jsonl", "checklist_good.jsonl")],
}
# Columns compared between the two paths: all but the times an import stamps on labels and done marks that
# came without one (two imports a second apart stamp different times).
TABLES = {
    "item": "id, position, kind, source, title, data, image_sha, text",
    "unit": "item_id, target, kind, position",
    "blob": "sha, data",
    "label": "item_id, taxonomy, annotator, target, label",
    "completion": "item_id, taxonomy, annotator",
    "annotator": "name, kind",
    "taxonomy": "id, definition, position",
}


def _contents(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY {columns}").fetchall()
                for table, columns in TABLES.items()}
    finally:
        conn.close()


@pytest.fixture
def direct_calls(monkeypatch) -> list[int | None]:
    """What each direct import returned: the labels it stored, or None when it found items and gave way."""
    calls: list[int | None] = []
    original = Project._import_directly

    def spy(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        calls.append(result)
        return result

    monkeypatch.setattr(Project, "_import_directly", spy)
    return calls


def _new_project(tmp_path: Path, empty_project_file: Path, name: str) -> Path:
    path = tmp_path / name
    shutil.copyfile(empty_project_file, path)
    return path


@pytest.mark.parametrize("file_set", sorted(FILE_SETS))
def test_direct_and_staged_imports_leave_the_same_project(file_set, tmp_path, empty_project_file, monkeypatch,
                                                          direct_calls):
    files = FILE_SETS[file_set]
    direct_path = _new_project(tmp_path, empty_project_file, "direct.sqlite")
    staged_path = _new_project(tmp_path, empty_project_file, "staged.sqlite")
    with Project.open(direct_path) as project:
        direct = project.import_items(files)
    assert len(direct_calls) == 1 and direct_calls[0] == direct.labels
    monkeypatch.setattr(staging, "may_write_directly", lambda db, paths: False)
    with Project.open(staged_path) as project:
        staged = project.import_items(files)
    assert len(direct_calls) == 1  # the second import was staged
    assert (direct.by_kind, direct.labels, direct.formats) == (staged.by_kind, staged.labels, staged.formats)
    assert direct.items > 0
    got, expected = _contents(direct_path), _contents(staged_path)
    assert {t: len(rows) for t, rows in got.items()} == {t: len(rows) for t, rows in expected.items()}
    assert got == expected
    if file_set != "real":
        assert expected["label"] and expected["completion"]  # the labelled formats were part of the check
    if file_set == "sample":
        assert expected["blob"]  # and images


def test_a_direct_import_holds_the_lock_while_an_import_into_items_does_not(tmp_project, tmp_path, direct_calls):
    path = Path(tmp_project.url.removeprefix("sqlite:///"))
    records = [dict(RUBRIC, id=f"r{i}") for i in range(2500)]
    free: list[bool] = []
    tmp_project.import_items([write_jsonl(tmp_path / "first.jsonl", records)],
                             progress=lambda done, total: free.append(lock_is_free(path)))
    assert len(free) > 1 and not any(free)
    more = [dict(RUBRIC, id=f"n{i}") for i in range(2500)]
    free.clear()
    tmp_project.import_items([write_jsonl(tmp_path / "more.jsonl", more)],
                             progress=lambda done, total: free.append(lock_is_free(path)))
    assert len(free) > 1 and all(free)
    assert direct_calls == [0]  # only the first went direct
    assert tmp_project.items.count() == 5000
    assert [s.id for s in tmp_project.items.page(offset=2499, limit=2)] == ["r2499", "n0"]


def test_a_bad_direct_import_leaves_the_project_as_it_was(tmp_project, tmp_path, empty_project_file,
                                                           monkeypatch, direct_calls):
    path = Path(tmp_project.url.removeprefix("sqlite:///"))
    before = _contents(path)
    good = FORMATS_DATA / "prm800k_good.jsonl"  # labels, a taxonomy and annotators it would bring along
    bad = write_jsonl(tmp_path / "bad.jsonl", [RUBRIC, {"id": "x", "kind": "trace"}, RUBRIC])
    again = write_jsonl(tmp_path / "again.jsonl", [OTHER, RUBRIC])  # a repeat from another file
    with pytest.raises(InputError) as caught:
        tmp_project.import_items([good, bad, again])
    assert direct_calls == []  # it raised inside the direct transaction
    problems = [(p.file, p.line, p.field, p.message) for p in caught.value.problems]
    assert {p[:2] for p in problems} == {(str(bad), 2), (str(bad), 3), (str(again), 2)}
    assert any("earlier in this file" in p[3] for p in problems)
    assert any(p[0] == str(again) and f"in {bad}" in p[3] for p in problems)
    assert _contents(path) == before
    monkeypatch.setattr(staging, "may_write_directly", lambda db, paths: False)
    with Project.open(_new_project(tmp_path, empty_project_file, "staged.sqlite")) as staged:
        with pytest.raises(InputError) as caught_staged:
            staged.import_items([good, bad, again])
    assert [(p.file, p.line, p.field, p.message) for p in caught_staged.value.problems] == problems
    monkeypatch.undo()
    tmp_project.import_items([good])  # and the same project takes the good file afterwards
    assert tmp_project.items.count() > 0


def test_a_direct_import_started_again_counts_each_item_once(tmp_project, tmp_path, monkeypatch):
    """`write` runs the unit of work again when another writer got in the way (here: once, after the whole
    file was written); the rolled-back first run must leave no trace in the rows or the summary."""
    original = Project._import_directly
    runs: list[int] = []

    def busy_once(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        runs.append(result)
        if len(runs) == 1:
            raise sqlite3.OperationalError("database is locked")
        return result

    monkeypatch.setattr(Project, "_import_directly", busy_once)
    summary = tmp_project.import_items([FORMATS_DATA / "prm800k_good.jsonl", SAMPLE / "captions.jsonl"])
    assert len(runs) == 2
    assert summary.formats == ["prm800k", "items"]
    assert summary.items == tmp_project.items.count() == len({s.id for s in tmp_project.items.page(limit=10_000)})
    assert summary.labels == tmp_project.info()["labels"] > 0


def test_a_project_that_got_items_meanwhile_is_staged(filled_project, tmp_path, monkeypatch, direct_calls):
    """The choice is made again under the lock: a project that is no longer empty gets the staged import, with
    its clash reported as usual."""
    monkeypatch.setattr(staging, "may_write_directly", lambda db, paths: True)
    before = filled_project.items.count()
    assert filled_project.items.get("r2") is not None
    fresh = write_jsonl(tmp_path / "fresh.jsonl", [dict(RUBRIC, id="new")])
    assert filled_project.import_items([fresh]).items == 1
    assert direct_calls == [None]
    clash = write_jsonl(tmp_path / "clash.jsonl", [dict(RUBRIC, id="other"), OTHER])
    with pytest.raises(InputError, match="already in the project"):
        filled_project.import_items([clash])
    assert filled_project.items.count() == before + 1


def test_files_over_the_bound_are_staged_even_into_an_empty_project(tmp_project, tmp_path, monkeypatch,
                                                                    direct_calls):
    monkeypatch.setattr(staging, "DIRECT_IMPORT_MAX_BYTES", 1000)
    path = Path(tmp_project.url.removeprefix("sqlite:///"))
    records = [dict(RUBRIC, id=f"r{i}") for i in range(2500)]
    free: list[bool] = []
    tmp_project.import_items([write_jsonl(tmp_path / "big.jsonl", records)],
                             progress=lambda done, total: free.append(lock_is_free(path)))
    assert direct_calls == [] and len(free) > 1 and all(free)
    assert tmp_project.items.count() == 2500


def test_a_repeat_names_the_file_that_brought_the_id_even_past_a_file_that_brought_none(
        tmp_project, tmp_path, empty_project_file, monkeypatch, direct_calls):
    """A direct import finds repeats among the items it wrote and tells their file by position; a file whose
    records were all refused starts where the next one does, and must not be named."""
    def rubric(item_id: str) -> dict:
        return dict(RUBRIC, id=item_id)

    files = [write_jsonl(tmp_path / "a.jsonl", [rubric("a1"), rubric("a2")]),
             write_jsonl(tmp_path / "b.jsonl", [rubric("a1")]),  # brings nothing new
             write_jsonl(tmp_path / "c.jsonl", [rubric("c1"), rubric("a2")]),
             write_jsonl(tmp_path / "d.jsonl", [rubric("c1"), rubric("d1")])]
    with pytest.raises(InputError) as caught:
        tmp_project.import_items(files)
    got = [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]
    assert [(f, line) for f, line, _ in got] == [("b.jsonl", 1), ("c.jsonl", 2), ("d.jsonl", 1)]
    assert [m.split(": ")[1] for _, _, m in got] == [f"a record in {files[0]} has it already"] * 2 + [
        f"a record in {files[2]} has it already"]
    monkeypatch.setattr(staging, "may_write_directly", lambda db, paths: False)
    with Project.open(_new_project(tmp_path, empty_project_file, "staged.sqlite")) as staged:
        with pytest.raises(InputError) as caught_staged:
            staged.import_items(files)
    assert [(Path(p.file).name, p.line, p.message) for p in caught_staged.value.problems] == got
