"""The schema is made by Alembic migrations only, and a project at an older revision opens at head."""

from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from annotator.core import Project
from annotator.core.store import tables  # noqa: F401  (the tables register on SQLModel's metadata)
from annotator.core.store.database import Database, to_url


def test_the_revisions_form_one_line_from_0001(tmp_path):
    db = Database(to_url(tmp_path / "x.sqlite"))
    script = ScriptDirectory.from_config(db.alembic_config())
    revisions = list(script.walk_revisions())  # head first
    assert revisions[-1].revision == "0001" and revisions[-1].down_revision is None
    assert len(script.get_heads()) == 1
    assert db.head_revision() == revisions[0].revision
    db.dispose()


def test_a_database_at_0001_with_no_data_opens_at_head(tmp_path):
    path = tmp_path / "old.sqlite"
    db = Database(to_url(path))
    db.upgrade("0001")
    assert db.schema_revision() == "0001"
    head = db.head_revision()
    db.dispose()
    with Project.open(path) as project:
        assert project.schema_revision == head
        assert project.db.schema_revision() == head
        assert project.info()["items"] == {"rubric": 0, "caption": 0, "trace": 0}
        # opening an existing database adds no taxonomies by itself; a new project would have had them
        assert project.taxonomies.ids() == []
        project.taxonomies.add("rift")
        assert project.taxonomies.ids() == ["rift"]


def test_a_new_project_is_at_head(tmp_project):
    assert tmp_project.schema_revision == tmp_project.db.head_revision()
    conn = sqlite3.connect(tmp_project.url.removeprefix("sqlite:///"))
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(tmp_project.schema_revision,)]
    conn.close()


def test_the_migrations_build_exactly_the_tables_the_code_declares(tmp_project):
    """A table or column added to tables.py without a migration shows up here."""
    with tmp_project.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    ours = [d for d in diff if "alembic_version" not in str(d)]
    assert ours == []


def test_the_schema_has_every_table_of_the_store(tmp_project):
    conn = sqlite3.connect(tmp_project.url.removeprefix("sqlite:///"))
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert {"item", "unit", "blob", "taxonomy", "annotator", "label", "note", "completion", "gold", "scored",
            "prediction", "judge_cache", "alembic_version"} <= names


def test_items_stored_at_0001_are_searchable_after_the_upgrade(tmp_path):
    """0002 adds the search text and fills it in for items a first-version project already holds."""
    import json

    from annotator.core.store import ItemFilter

    path = tmp_path / "v1.sqlite"
    db = Database(to_url(path))
    db.upgrade("0001")
    db.dispose()
    conn = sqlite3.connect(path)
    record = {"id": "r1", "kind": "rubric", "source": "pilot", "prompt": "Write a Haiku about kinds of rain",
              "criteria": [{"id": "c1", "text": "Has three lines"}]}
    conn.execute("INSERT INTO item (id, position, kind, source, title, data) VALUES (?, ?, ?, ?, ?, ?)",
                 ("r1", 1, "rubric", "pilot", "Write a Haiku", json.dumps(record)))
    conn.execute("INSERT INTO item (id, position, kind, source, title, data) VALUES (?, ?, ?, ?, ?, ?)",
                 ("t1", 2, "trace", "pilot", "2+2", json.dumps({"id": "t1", "kind": "trace", "problem": "2+2",
                                                                  "steps": [{"id": "s1", "text": "It is 4"}]})))
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.schema_revision == project.db.head_revision()
        assert [s.id for s in project.items.page(ItemFilter(search="haiku"))] == ["r1"]
        assert [s.id for s in project.items.page(ItemFilter(search="THREE LINES"))] == ["r1"]
        assert [s.id for s in project.items.page(ItemFilter(search="it is 4"))] == ["t1"]
        # field names of the stored JSON are not text a person reads
        assert [s.id for s in project.items.page(ItemFilter(search="kind"))] == ["r1"]  # "kinds of rain" only
        assert project.items.page(ItemFilter(search="criteria")) == []
