"""Shared fixtures: throw-away projects, the sample project (built once per run), and ways to run the CLI.

Tests that change the sample project copy it first (`sample_copy`), so one build serves the whole session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

# The suite starts many fresh interpreters (the command line, start-up checks, crash and concurrency workers),
# and every xdist worker rewrites the asserts of every test module. Where the environment tells Python not to
# write bytecode (PYTHONDONTWRITEBYTECODE, as some containers set), each of them compiled the package and the
# tests from source again: about 9 s of a run on two cores. The suite writes the caches (git ignores them).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from annotator.core import Project  # noqa: E402 - after the bytecode setting, so the package is cached too

TESTS = Path(__file__).resolve().parent
FORMATS_DATA = TESTS / "data" / "formats"
HARBOUR_PNG = FORMATS_DATA / "images" / "harbour.png"

# A small, hand-made set of items, one or more of each kind. r1 and r2 are written so that a search which
# treated `%` or `_` as wildcards would find both of them, while a literal search finds only r2.
SMALL_ITEMS = [
    {"id": "r1", "kind": "rubric", "source": "handmade",
     "prompt": "Describe the tax rate rules; answer 100 percent in plain words.",
     "criteria": [{"id": "c1", "text": "Names the current rate"}, {"id": "c2", "text": "Is appropriate"},
                  {"id": "c3", "text": "Gives one worked example"}]},
    {"id": "r2", "kind": "rubric", "source": "bench_x",
     "prompt": "Explain the tax_rate field of the form; is 100% ever allowed?",
     "criteria": ["Explains the field", "Answers the question about 100%"]},
    {"id": "cap1", "kind": "caption", "source": "handmade", "image": "images/harbour.png",
     "caption": "Three boats moored in a grey harbour.", "criteria": [{"id": "c1", "text": "Counts the boats"}]},
    {"id": "t1", "kind": "trace", "source": "handmade", "problem": "What is 2 + 3 * 4?",
     "steps": ["First 3 * 4 = 12.", "Then 2 + 12 = 15.", "So the answer is 15."],
     "answer": "15", "reference_answer": "14"},
]


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """Keep the app's per-user folder (the default sample project, settings) out of the real home."""
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture
def small_items() -> list[dict]:
    """A fresh copy of SMALL_ITEMS that a test may change."""
    return json.loads(json.dumps(SMALL_ITEMS))


@pytest.fixture
def make_jsonl(tmp_path) -> Callable[[str, list[dict]], Path]:
    """Write records as a JSONL file under tmp_path/data (where `items_file` keeps its image)."""
    return lambda name, records: _write_jsonl(tmp_path / "data" / name, records)


@pytest.fixture
def items_file(tmp_path) -> Path:
    """SMALL_ITEMS as JSONL, with the caption's image beside it."""
    folder = tmp_path / "data"
    (folder / "images").mkdir(parents=True)
    shutil.copy(HARBOUR_PNG, folder / "images" / "harbour.png")
    return _write_jsonl(folder / "items.jsonl", SMALL_ITEMS)


@pytest.fixture(scope="session")
def empty_project_file(tmp_path_factory) -> Path:
    """A new project file made once per test process: creating one runs the migrations (about 0.1 s), and
    hundreds of tests each start from an empty project. Tests get a copy, never this file."""
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    Project.create(path).close()  # closing folds the write-ahead log into the file, so a copy is whole
    return path


@pytest.fixture
def tmp_project(tmp_path, empty_project_file):
    """A new project with every built-in taxonomy and no items (a copy of the session's empty project)."""
    path = tmp_path / "project.sqlite"
    shutil.copyfile(empty_project_file, path)
    with Project.open(path) as project:
        yield project


@pytest.fixture
def filled_project(tmp_project, items_file):
    """`tmp_project` holding SMALL_ITEMS."""
    tmp_project.import_items([items_file])
    return tmp_project


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    """The sample project built from sample_data/, once per test session. Do not change it: copy it."""
    from annotator.core.sample import build_sample_project

    return build_sample_project(tmp_path_factory.mktemp("sample") / "sample.sqlite")


@pytest.fixture(scope="module")
def module_sample(sample_project, tmp_path_factory) -> str:
    """A copy of the sample project for one test module (its tests may share what they change in it): a
    file copy instead of another build from sample_data/."""
    target = tmp_path_factory.mktemp("sample") / "s.sqlite"
    shutil.copy(sample_project, target)
    return str(target)


@pytest.fixture
def sample_copy(sample_project, tmp_path) -> Path:
    """A private copy of the sample project that a test may change."""
    target = tmp_path / "sample.sqlite"
    shutil.copy(sample_project, target)
    return target


@pytest.fixture
def run_cli(capsys) -> Callable[..., tuple[int, str, str]]:
    """Run `annotator.cli.main` in this process: (exit code, stdout, stderr). argparse's exits count as codes."""
    from annotator.cli import main

    def run(*args: str | os.PathLike) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_console() -> Callable[..., subprocess.CompletedProcess]:
    """Run the installed `annotator` console script in a child process."""
    script = shutil.which("annotator")
    command = [script] if script else [sys.executable, "-c", "import sys; from annotator.cli import main; "
                                                             "sys.exit(main())"]

    def run(*args: str | os.PathLike, timeout: float = 600) -> subprocess.CompletedProcess:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                              env=env)

    return run
