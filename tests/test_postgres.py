"""A shared team project on PostgreSQL behaves like a project file (DESIGN section 3): a database URL works
wherever a path does, the schema comes from the same migrations, and the facade and command line give the same
answers. Each test runs on both backends (see tests/backends.py); the PostgreSQL cases need
ANNOTATOR_TEST_POSTGRES_URL and fail under CI without it."""

from __future__ import annotations

import csv
import json
import shutil
import socket
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import inspect, insert, text
from sqlalchemy.exc import IntegrityError

from annotator.core import Project
from annotator.core.errors import AnnotatorError, InputError
from annotator.core.taxonomy import builtin_taxonomies
from annotator.core.store.database import Database, display_url, to_url
from annotator.core.store.tables import ANNOTATOR
from backends import (  # noqa: F401
    fresh_postgres_database,
    open_new_worker,
    postgres_database,
    rubric_records,
    store_backend,
    worker_context,
    write_jsonl,
)

HARBOUR_PNG = Path(__file__).resolve().parent / "data" / "formats" / "images" / "harbour.png"


def _items(folder: Path) -> Path:
    (folder / "images").mkdir(parents=True, exist_ok=True)
    shutil.copy(HARBOUR_PNG, folder / "images" / "harbour.png")
    records = rubric_records(3) + [
        {"id": "cap1", "kind": "caption", "source": "handmade", "image": "images/harbour.png",
         "caption": "Three boats in a grey harbour.", "criteria": [{"id": "c1", "text": "Counts the boats"}]},
        {"id": "t1", "kind": "trace", "source": "handmade", "problem": "What is 2 + 3 * 4?",
         "steps": ["3 * 4 = 12.", "2 + 12 = 14.", "The answer is 14."]},
    ]
    return write_jsonl(folder / "items.jsonl", records)


def _schema(location: str) -> dict[str, set[str]]:
    db = Database(to_url(location))
    try:
        insp = inspect(db.engine)
        return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}
    finally:
        db.dispose()


def test_a_new_project_gets_the_migrated_schema_of_a_project_file(store_backend, tmp_path):
    with Project.create(store_backend) as project:
        assert project.schema_revision == project.db.head_revision()
        assert len(project.taxonomies.ids()) >= 5
    reference = tmp_path / "reference.sqlite"
    Project.create(reference).close()
    assert _schema(store_backend) == _schema(str(reference))


def test_items_labels_notes_and_done_round_trip(store_backend, tmp_path):
    with Project.create(store_backend) as project:
        summary = project.import_items([_items(tmp_path / "data")])
        assert summary.by_kind == {"rubric": 3, "caption": 1, "trace": 1}
    with Project.open(store_backend) as project:
        assert project.items.image_bytes("cap1") == HARBOUR_PNG.read_bytes()
        assert [u for u in project.items.unit_targets("t1")] == ["step:s1", "step:s2", "step:s3"]
        change = project.labels.toggle("r0000", "rift", "alice", "criterion:c2", "subjective")
        assert [lab.label for lab in change.added] == ["subjective"]
        project.labels.add("r0000", "rift", "bob", "criterion:c2", "subjective")
        project.labels.add("r0000", "rift", "alice", "item", "low_signal")
        # single choice: a second rating on the same step replaces the first
        project.labels.add("t1", "step_rating", "alice", "step:s2", "+1")
        swap = project.labels.add("t1", "step_rating", "alice", "step:s2", "-1")
        assert [lab.label for lab in swap.removed] == ["+1"]
        project.labels.apply(swap.inverse())  # undo
        assert [lab.label for lab in project.labels.for_item("t1", "step_rating")] == ["+1"]
        project.notes.set("r0000", "rift", "alice", "criterion:c2", "the word 'clear' has no anchor")
        project.completion.set_done("r0000", "rift", "alice")
        project.completion.set_done("r0000", "rift", "bob")
        info = project.info()
        data = project.label_data("rift")
    assert info["labels"] == 4
    assert info["annotators"] == ["alice", "bob"]
    assert info["done"] == {"alice": {"rift": 1}, "bob": {"rift": 1}}
    assert len(data.labels) == 3
    with Project.open(store_backend) as project:
        assert project.notes.get("r0000", "rift", "alice", "criterion:c2") == "the word 'clear' has no anchor"
        assert project.info() == info


def test_a_bad_import_leaves_the_project_unchanged(store_backend, tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", rubric_records(4))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rubric_records(1)[0] | {"id": "fresh"}) + "\n" + '{"id": "x", "kind": "rubric"\n')
    with Project.create(store_backend) as project:
        project.import_items([good])
        before = project.info()
        with pytest.raises(InputError) as caught:
            project.import_items([bad])
        assert any(p.line == 2 for p in caught.value.problems)
        assert project.info() == before
        assert not project.items.exists("fresh")


def test_the_command_line_takes_a_url_wherever_it_takes_a_path(store_backend, tmp_path, run_cli):
    code, out, err = run_cli("init", store_backend, "--taxonomy", "rift")
    assert code == 0, err
    code, _out, err = run_cli("import", store_backend, _items(tmp_path / "data"))
    assert code == 0, err
    with Project.open(store_backend) as project:
        project.labels.add("r0001", "rift", "alice", "criterion:c1", "hackable")
        project.notes.set("r0001", "rift", "alice", "criterion:c1", '=HYPERLINK("http://example.com","x")')
        project.completion.set_done("r0001", "rift", "alice")
    code, out, err = run_cli("info", store_backend, "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["items"] == {"rubric": 3, "caption": 1, "trace": 1}
    assert info["taxonomies"] == ["rift"]
    assert info["labels"] == 1
    out_csv = tmp_path / "labels.csv"
    code, _out, err = run_cli("export", store_backend, "-o", out_csv)
    assert code == 0, err
    with out_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["item_id"], r["target"], r["label"]) for r in rows] == [("r0001", "criterion:c1", "hackable")]
    assert rows[0]["note"].startswith("'=")


def test_a_unique_clash_in_one_unit_of_work_surfaces_instead_of_looping(store_backend):
    """Retrying on a unique violation is for races; a unit of work that clashes with itself must still fail."""
    with Project.create(store_backend, taxonomies=["rift"]) as project:
        def twice(conn):
            for _ in range(2):
                conn.execute(insert(ANNOTATOR).values(name="dup", kind="human", created_at=""))

        with pytest.raises(IntegrityError):
            project.db.write(twice)
        assert project.annotators() == []


def test_two_annotators_creating_one_shared_project_at_once_get_one_schema(store_backend):
    ctx = worker_context()
    results = ctx.Queue()
    procs = [ctx.Process(target=open_new_worker, args=(store_backend, results)) for _ in range(3)]
    for p in procs:
        p.start()
    answers = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert [a[0] for a in answers] == ["ok"] * 3, answers
    assert {a[1] for a in answers} == {"0001"} or len({a[1] for a in answers}) == 1
    db = Database(to_url(store_backend))
    try:
        with db.read() as conn:
            versions = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar()
            taxonomies = conn.execute(text("SELECT id FROM taxonomy ORDER BY position")).scalars().all()
    finally:
        db.dispose()
    assert versions == 1
    # each opener may add the default taxonomies; the table ends with each of them once
    assert sorted(taxonomies) == sorted(builtin_taxonomies())


def test_an_unreachable_server_is_a_plain_error_without_the_password():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://alice:s3cret@127.0.0.1:{port}/team"
    with pytest.raises(AnnotatorError, match="cannot open the database") as caught:
        Project.open(url, create=True)
    assert "s3cret" not in str(caught.value)
    assert "***" in display_url(url)


def test_the_postgres_spelling_of_the_scheme_is_accepted():
    assert to_url("postgres://bob@db.example.org/team") == "postgresql://bob@db.example.org/team"
    assert to_url("postgresql+psycopg://bob@h/team") == "postgresql+psycopg://bob@h/team"


def test_unreachable_server_from_the_command_line_exits_1(run_cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _out, err = run_cli("info", f"postgresql://u:pw@127.0.0.1:{port}/nothing", "--json")
    assert code == 1
    assert "cannot open the database" in err and ":pw@" not in err


def test_a_laptop_project_merged_onto_the_server_gives_the_same_answers(postgres_database, sample_project, tmp_path,
                                                                       run_cli):
    """The team workflow: laptops' projects merged into the shared database answer exactly as the file did."""
    assert run_cli("init", postgres_database)[0] == 0
    code, _out, err = run_cli("merge", postgres_database, sample_project)
    assert code == 0, err
    for command in (["info", "--json"], ["agreement", "--taxonomy", "rift", "--json"]):
        server = run_cli(command[0], postgres_database, *command[1:])
        laptop = run_cli(command[0], sample_project, *command[1:])
        assert server[0] == laptop[0] == 0, server[2]
        assert json.loads(server[1]) == json.loads(laptop[1])
    assert run_cli("export", postgres_database, "-o", tmp_path / "server.csv")[0] == 0
    assert run_cli("export", sample_project, "-o", tmp_path / "laptop.csv")[0] == 0
    assert (tmp_path / "server.csv").read_bytes() == (tmp_path / "laptop.csv").read_bytes()


def test_the_server_project_merged_into_a_laptop_file_gives_the_same_answers(postgres_database, sample_project,
                                                                            tmp_path, run_cli):
    """The other way round: a URL as the *other* project, read (never written) into a new project file."""
    assert run_cli("init", postgres_database)[0] == 0
    assert run_cli("merge", postgres_database, sample_project)[0] == 0
    with Project.open(postgres_database) as server:
        before = (server.labels.count(), server.items.count())
    laptop = tmp_path / "laptop.sqlite"
    assert run_cli("init", laptop)[0] == 0
    code, out, err = run_cli("merge", laptop, postgres_database)
    assert code == 0, err
    assert "labels" in out
    for command in (["info", "--json"], ["agreement", "--taxonomy", "rift", "--json"]):
        mine = run_cli(command[0], laptop, *command[1:])
        server = run_cli(command[0], postgres_database, *command[1:])
        assert mine[0] == server[0] == 0, mine[2]
        assert json.loads(mine[1]) == json.loads(server[1])
    with Project.open(postgres_database) as server:
        assert (server.labels.count(), server.items.count()) == before
    code, _out, err = run_cli("merge", laptop, postgres_database)  # the same work again adds nothing
    assert code == 0, err
    with Project.open(laptop) as project:
        assert project.labels.count() == before[0]


# --- the store's own tests, run again on PostgreSQL --------------------------------------------------------
# tests/test_store.py covers the facade on SQLite through the `tmp_project` and `filled_project` fixtures. Its
# tests that reach the project only through those fixtures (and do not open the SQLite file themselves) are
# collected here a second time, with `tmp_project` below giving them a project on a PostgreSQL database.
def _store_tests_on_postgres() -> dict:
    import inspect as _inspect

    import test_store

    chosen = {}
    for name, fn in vars(test_store).items():
        if not name.startswith("test_") or not callable(fn):
            continue
        params = _inspect.signature(fn).parameters
        reads_the_file = "sqlite3." in _inspect.getsource(fn)  # looks inside the SQLite file itself
        if ("tmp_project" in params or "filled_project" in params) and "tmp_path" not in params \
                and not reads_the_file:
            chosen[f"{name}__on_postgres"] = fn
    return chosen


globals().update(_store_tests_on_postgres())


@pytest.fixture(scope="session")
def empty_postgres_project() -> Iterator[str]:
    """The name of a database holding a new, empty project, made once per test process: creating a project runs
    the migrations (a few tenths of a second on PostgreSQL), and the store's tests each start from an empty one.
    Tests get a copy (`CREATE DATABASE ... TEMPLATE`), never this database."""
    from sqlalchemy.engine import make_url

    with fresh_postgres_database() as url:
        Project.create(url).close()  # closing lets go of every connection: a template must have none
        yield make_url(url).database


@pytest.fixture
def tmp_project(empty_postgres_project):
    """A new project with every built-in taxonomy, on PostgreSQL (overrides the SQLite one in conftest): a copy
    of the process's empty project, as the SQLite `tmp_project` is a copy of its empty file."""
    with fresh_postgres_database(template=empty_postgres_project) as url, Project.open(url) as project:
        yield project
