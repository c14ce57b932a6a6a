"""The bad-input corpus, continued for the project file itself (issue 14): faults met when a project is opened or
written end in one plain line, exit 1, and leave the project as it was.

- a project with damaged pages (caught by SQLite's quick check on open; `import` and `export` used to exit 0);
- a project from a newer version of the app (a schema revision this version does not know);
- a disk that fills up during an import (the failed batch used to be printed, a thousand rows of it);
- a project on a read-only file system, which opens read-only for every command that only reads;
- any other exception reaching `main`: one line, and the traceback with ANNOTATOR_DEBUG=1.

The read-only and disk-full cases need to mount a file system (root, as in CI); elsewhere they are skipped.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core import Project
from annotator.core.store.opening import ReadOnlyProject, head_revision, schema_revisions
from mounts import on_read_only_file_system, small_disk

@pytest.fixture
def project(filled_project) -> Path:
    """A small project file (the conftest's items, one label, one item done), closed."""
    filled_project.labels.add("r1", "rift", "ann", "criterion:c2", "subjective")
    filled_project.completion.set_done("r1", "rift", "ann")
    filled_project.close()  # its write-ahead log goes into the file: the tests copy and move the file alone
    return Path(filled_project.url.removeprefix("sqlite:///"))


@pytest.fixture
def more_items(make_jsonl) -> Path:
    return make_jsonl("more.jsonl", [{"id": "r3", "kind": "rubric", "source": "s", "prompt": "Another task.",
                                      "criteria": ["One point"]}])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_plain_line(code: int, err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if not line.endswith("(auto)")]  # `import` names the format
    assert code == 1, err
    assert "Traceback" not in err
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


def damage_an_index(path: Path, index: str = "ix_item_source") -> None:
    """Overwrite one index's root page with junk: reads that skip the index still work, the file is damaged."""
    conn = sqlite3.connect(path)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    finally:
        conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


@pytest.mark.parametrize("command", ["info", "export", "import", "labels import", "agreement", "f1"])
def test_a_damaged_project_is_refused_and_left_alone(command, project, more_items, tmp_path, run_cli):
    damage_an_index(project)
    before = digest(project)
    args = {
        "info": ["info", project],
        "export": ["export", project, "-o", tmp_path / "out.csv"],
        "import": ["import", project, more_items],
        "labels import": ["labels", "import", project, tmp_path / "labels.csv"],
        "agreement": ["agreement", project],
        "f1": ["f1", project, "--metric", "m"],
    }[command]
    (tmp_path / "labels.csv").write_text("item_id,item_kind,taxonomy,annotator,target,label,note,created_at\n"
                                         "r2,rubric,rift,bo,criterion:c1,subjective,,\n", encoding="utf-8")
    code, _out, err = run_cli(*args)
    assert_one_plain_line(code, err, str(project), "damaged")
    assert digest(project) == before
    assert not (tmp_path / "out.csv").exists()


def test_a_project_from_a_newer_version_names_its_schema(project, more_items, run_cli):
    conn = sqlite3.connect(project)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    before = digest(project)
    for args in (["info", project], ["import", project, more_items], ["agreement", project],
                 ["init", project, "--taxonomy", "rift"]):
        code, _out, err = run_cli(*args)
        assert_one_plain_line(code, err, "9999_from_the_future", "newer version", "update annotator")
    assert digest(project) == before


def test_the_schema_revisions_are_read_without_alembic_as_alembic_reads_them():
    from alembic.script import ScriptDirectory

    from annotator.core.store.database import Database

    db = Database("sqlite://")
    try:
        scripts = ScriptDirectory.from_config(db.alembic_config())
        assert head_revision() == scripts.get_current_head()
        assert list(schema_revisions()) == [s.revision for s in reversed(list(scripts.walk_revisions()))]
    finally:
        db.dispose()


def test_any_unexpected_exception_is_one_line_unless_debugging(project, run_cli, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ValueError("something nobody planned for\nwith a second line")

    monkeypatch.setattr("annotator.core.store.info.read_info", broken)
    monkeypatch.delenv("ANNOTATOR_DEBUG", raising=False)
    code, _out, err = run_cli("info", project)
    assert_one_plain_line(code, err, "ValueError", "something nobody planned for", "ANNOTATOR_DEBUG=1")
    monkeypatch.setenv("ANNOTATOR_DEBUG", "1")
    with pytest.raises(ValueError):
        run_cli("info", project)


# --- faults that need a file system of their own (skipped where nothing can be mounted) ----------------------
def test_a_project_on_a_read_only_file_system_opens_read_only(project, more_items, tmp_path, run_cli):
    with on_read_only_file_system(project, tmp_path) as path:
        code, out, err = run_cli("info", path, "--json")
        assert code == 0, err
        assert json.loads(out)["labels"] == 1
        assert run_cli("export", path, "-o", tmp_path / "out.csv")[0] == 0
        assert "subjective" in (tmp_path / "out.csv").read_text(encoding="utf-8")
        assert run_cli("items", "export", path, "-o", tmp_path / "items.jsonl")[0] == 0
        code, out, err = run_cli("agreement", path, "--taxonomy", "rift", "--json", "--bootstrap", "10")
        assert code == 0, err

        code, _out, err = run_cli("import", path, more_items)
        assert_one_plain_line(code, err, "read-only")
        with Project.open(path) as opened:  # the app's way in: it opens, and a label key says why it cannot save
            assert opened.db.read_only
            with pytest.raises(ReadOnlyProject, match="read-only"):
                opened.labels.add("r2", "rift", "ann", "criterion:c1", "subjective")


def test_reading_commands_leave_a_writable_project_untouched(project, tmp_path, run_cli):
    """info, export and agreement open read-only: not even the journal mode or a WAL file changes."""
    before = digest(project)
    assert run_cli("info", project)[0] == 0
    assert run_cli("export", project, "-o", tmp_path / "out.csv")[0] == 0
    assert run_cli("agreement", project, "--taxonomy", "rift", "--bootstrap", "10")[0] == 0
    assert digest(project) == before
    with Project.open(project, read_only=True) as opened, pytest.raises(ReadOnlyProject):
        opened.completion.set_done("r2", "rift", "ann")


def test_a_full_disk_during_an_import_is_one_line_and_changes_nothing(project, tmp_path, run_cli):
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as out:
        for i in range(3000):
            out.write(json.dumps({"id": f"big{i}", "kind": "rubric", "source": "s", "prompt": "p" * 1000,
                                  "criteria": ["one", "two"]}) + "\n")
    with small_disk(tmp_path / "disk", "1m") as disk:
        path = disk / "project.sqlite"
        shutil.copy(project, path)
        code, before, _ = run_cli("info", path, "--json")
        assert code == 0
        code, _out, err = run_cli("import", path, big)
        assert_one_plain_line(code, err, "is full", str(path), "nothing")  # which project, when a script has several
        assert "big1" not in err
        assert run_cli("info", path, "--json")[1] == before


def test_an_export_to_a_full_disk_names_the_file_and_leaves_nothing_behind(project, tmp_path, run_cli):
    with Project.open(project) as opened:
        for i in range(1, 3):  # 400 KB of notes: more than the disk holds
            opened.notes.set(f"r{i}", "rift", "ann", "criterion:c1", "n" * 200_000)
    with small_disk(tmp_path / "disk", "256k") as disk:
        out = disk / "labels.csv"
        code, _out, err = run_cli("export", project, "-o", out)
        assert_one_plain_line(code, err, str(out), "No space left")
        assert list(disk.iterdir()) == []  # neither the file nor its temporary twin
