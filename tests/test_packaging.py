"""The wheel ships every package, the built-in taxonomies, the sample data and the migrations, so an installed
app works without the source checkout (DESIGN section 2)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = CONFIG["tool"]["setuptools"]


def package_dirs() -> dict[str, Path]:
    """Every folder that holds Python modules, by the package name it installs as."""
    roots = {"annotator": REPO / "annotator"}
    roots.update({name: REPO / folder for name, folder in SETUPTOOLS.get("package-dir", {}).items()})
    found: dict[str, Path] = {}
    for root_name, root in roots.items():
        for init in root.rglob("*.py"):
            folder = init.parent
            if "__pycache__" in folder.parts:
                continue
            rel = folder.relative_to(root)
            found[".".join([root_name, *rel.parts])] = folder
    return found


def test_every_package_is_listed():
    listed = set(SETUPTOOLS["packages"])
    missing = sorted(set(package_dirs()) - listed)
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_listed_package_exists():
    dirs = package_dirs()
    stale = [name for name in SETUPTOOLS["packages"] if name not in dirs]
    assert not stale


def test_resources_and_sample_data_ship_inside_annotator():
    assert SETUPTOOLS["package-dir"] == {"annotator.resources": "resources", "annotator.sample_data": "sample_data"}
    assert (REPO / "resources" / "taxonomies" / "10-rift.yaml").is_file()
    assert (REPO / "sample_data" / "rubrics.jsonl").is_file()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """A wheel built from a copy of the working tree (so the build leaves nothing in the repository)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite*", "*.egg-info")
    src.mkdir()
    for entry in REPO.iterdir():
        if entry.is_file() and not entry.name.startswith("."):
            shutil.copy2(entry, src / entry.name)
    for folder in ("annotator", "resources", "sample_data"):
        shutil.copytree(REPO / folder, src / folder, ignore=ignore)
    out = work / "dist"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    [built] = list(out.glob("annotator-*.whl"))
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_holds_data_and_migrations(wheel):
    names = set(wheel.namelist())
    for needed in ("annotator/resources/taxonomies/10-rift.yaml", "annotator/sample_data/rubrics.jsonl",
                   "annotator/core/migrations/env.py", "annotator/core/migrations/script.py.mako",
                   "annotator/core/migrations/versions/0001_first_schema.py", "annotator/cli.py",
                   "annotator/core/store/project.py"):
        assert needed in names, needed
    taxonomies = {Path(n).name for n in names if n.startswith("annotator/resources/taxonomies/")}
    assert taxonomies >= {p.name for p in (REPO / "resources" / "taxonomies").glob("*.yaml")}
    sample = {n.removeprefix("annotator/sample_data/") for n in names if n.startswith("annotator/sample_data/")}
    on_disk = {p.relative_to(REPO / "sample_data").as_posix() for p in (REPO / "sample_data").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert on_disk <= sample
    versions = {p.name for p in (REPO / "annotator" / "core" / "migrations" / "versions").glob("*.py")}
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("annotator/core/migrations/versions/")} >= versions
    assert not [n for n in names if n.startswith("tests/") or n.endswith(".sqlite")]


def test_the_wheel_declares_the_console_script(wheel):
    [entry_points] = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "annotator = annotator.cli:main" in text
