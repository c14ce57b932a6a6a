"""The core never imports Qt (STYLE: the import-linter contract, and the core run with Qt made unimportable)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "shiboken6", "annotator.gui")


def test_the_contract_forbids_qt_and_the_gui_in_the_core():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"] if c["type"] == "forbidden"]
    assert contract["source_modules"] == ["annotator.core"]
    assert set(FORBIDDEN) <= set(contract["forbidden_modules"])
    assert config.get("include_external_packages") is True  # else PySide6 could not be named at all


def test_import_linter_keeps_the_contract():
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


# Runs in a fresh interpreter: Qt is made unimportable, then every core module is imported and the core is
# used end to end (a project built, items imported, labels exported), and no Qt module may have been loaded.
CORE_WITHOUT_QT = textwrap.dedent("""
    import importlib, pkgutil, sys, tempfile
    from pathlib import Path

    FORBIDDEN = {forbidden!r}

    class NoQt:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6") or name.startswith("annotator.gui"):
                raise ImportError(f"{{name}} imported by the core")
            return None

    sys.meta_path.insert(0, NoQt())
    import annotator.core
    names = ["annotator.core"]
    for info in pkgutil.walk_packages(annotator.core.__path__, "annotator.core."):
        if info.name == "annotator.core.migrations.env":
            continue  # an Alembic script: it runs only inside Alembic
        names.append(info.name)
    for name in names:
        importlib.import_module(name)

    from annotator.core import Project
    from annotator.core.export import export_labels_csv
    from annotator.core.sample import sample_dir
    with tempfile.TemporaryDirectory() as folder:
        with Project.create(Path(folder) / "p.sqlite") as project:
            project.import_items([sample_dir() / "traces_processbench.jsonl"])
            assert export_labels_csv(project, Path(folder) / "labels.csv") > 0

    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6")
                    or m.startswith("annotator.gui"))
    assert not loaded, loaded
    print(len(names), "core modules")
""")


def test_every_core_module_loads_without_qt():
    done = subprocess.run([sys.executable, "-c", CORE_WITHOUT_QT.format(forbidden=FORBIDDEN)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.split()[0]) > 30


def test_the_cli_starts_without_loading_qt():
    code = ("import sys; from annotator.cli import build_parser; build_parser(); "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'annotator.gui'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
