"""Each command imports only what it needs (issue 15): `--version` and `--help` load nothing outside the
standard library, `info` on a SQLite project reads it without SQLAlchemy, pandas or Alembic, and no command of
the command line loads Qt or the statistics it does not compute.

Each command runs in a fresh interpreter, which reports the modules it loaded beyond what the interpreter had
loaded before `annotator.cli` was imported. Times are not measured here: `bench/bench_startup.py` does that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core import Project

REPORT = """
import json, sys
before = set(sys.modules)
from annotator.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
added = sorted({name.split(".")[0] for name in set(sys.modules) - before})
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "packages": added}, out)
"""

HEAVY = {"pandas", "numpy", "scipy", "sklearn", "matplotlib", "krippendorff", "alembic", "sqlalchemy", "sqlmodel",
         "pydantic", "yaml"}
NEVER = {"PySide6", "shiboken6"}


def third_party(packages: list[str]) -> set[str]:
    return {p for p in packages if p not in sys.stdlib_module_names and p != "annotator" and not p.startswith("_")}


def loaded(tmp_path: Path, *args: str | os.PathLike) -> set[str]:
    """The third-party packages `annotator ARGS` loads, in a fresh interpreter; the command must succeed."""
    report = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", REPORT, str(report), *map(str, args)], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert report.exists(), done.stderr[-2000:]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["code"] in (0, None), done.stderr[-2000:]
    return third_party(result["packages"])


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("startup")
    items = folder / "items.jsonl"
    items.write_text(json.dumps({"id": "r1", "kind": "rubric", "source": "s", "prompt": "Plan a trip.",
                                 "criteria": ["Names the dates", "Is short"]}) + "\n", encoding="utf-8")
    path = folder / "project.sqlite"
    with Project.create(path) as created:
        created.import_items([items])
        for who in ("ann", "bo"):
            created.labels.add("r1", "rift", who, "criterion:c1", "subjective")
            created.completion.set_done("r1", "rift", who)
    return path


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["agreement", "--help"], ["labels", "import", "-h"]],
                         ids=" ".join)
def test_version_and_help_load_only_the_standard_library(args, tmp_path):
    assert loaded(tmp_path, *args) == set()


def test_info_reads_a_sqlite_project_with_the_standard_library_alone(project, tmp_path):
    assert loaded(tmp_path, "info", project) == set()
    assert loaded(tmp_path, "info", project, "--json") == set()


def test_check_loads_no_database_layer_and_no_statistics(tmp_path, project):
    items = project.parent / "items.jsonl"
    found = loaded(tmp_path, "check", items)
    assert not found & ((HEAVY - {"pydantic"}) | NEVER), found


def test_import_loads_the_store_but_no_statistics_and_no_migrations(project, tmp_path):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(project.read_bytes())
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "r2", "kind": "rubric", "source": "s", "prompt": "Plan a walk.",
                                "criteria": ["Names the route"]}) + "\n", encoding="utf-8")
    found = loaded(tmp_path, "import", copy, more)
    assert "sqlalchemy" in found  # the store writes through it
    assert not found & ({"pandas", "numpy", "scipy", "sklearn", "matplotlib", "krippendorff", "alembic"} | NEVER)


@pytest.mark.parametrize("command", [
    ["export", "{project}", "-o", "{tmp}/out.csv"],
    ["items", "export", "{project}", "-o", "{tmp}/items.jsonl"],
    ["agreement", "{project}", "--bootstrap", "20"],
], ids=lambda c: " ".join(c[:2]))
def test_reading_commands_load_no_migrations_and_no_qt(command, project, tmp_path):
    args = [a.format(project=project, tmp=tmp_path) for a in command]
    found = loaded(tmp_path, *args)
    assert not found & ({"alembic"} | NEVER), found


def test_the_long_export_streams_without_pandas_or_the_importers(project, tmp_path):
    """The long CSV goes from the cursor to the csv module: pandas (and numpy under it) would be half of a fresh
    start."""
    found = loaded(tmp_path, "export", project, "-o", tmp_path / "out.csv")
    assert not found & {"pandas", "numpy", "alembic", "scipy", "sklearn"}, found
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").count("subjective") == 2
    assert "pandas" in loaded(tmp_path, "export", project, "-o", tmp_path / "wide.csv", "--wide")
