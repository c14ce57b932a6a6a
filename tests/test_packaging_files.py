"""The files that build and install the standalone app: PyInstaller spec, entry script, desktop entry, icons.

Building the app takes minutes (packaging/build.sh does it and smoke-tests the result); these tests catch the
mistakes that would only show up at the end of such a build, or on a user's desktop, in well under a second each.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "annotator.spec"
ENTRY = PACKAGING / "entry.py"
DESKTOP = PACKAGING / "annotator.desktop"
ICONS = PACKAGING / "icons"
ICON_SIZES = (256, 128, 64, 32)
DATA_PACKAGES = {"annotator.resources", "annotator.sample_data", "annotator.core.migrations"}


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, which the format requires to come first."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13, "the first chunk is not IHDR"
    return struct.unpack(">II", data[16:24])


# --- the spec ---------------------------------------------------------------------------------------------
def test_spec_is_python_naming_entry_script_and_data_packages():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert "entry.py" in strings
    assert DATA_PACKAGES <= strings
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "collect_data_files", "collect_submodules"} <= called


def run_spec() -> dict:
    """Execute the spec with PyInstaller's build steps replaced by recorders; what each step was given."""
    pytest.importorskip("PyInstaller")
    seen: dict = {}

    def analysis(scripts, **kwargs):
        seen["scripts"], seen["analysis"] = scripts, kwargs
        return SimpleNamespace(pure=[], scripts=[], binaries=[], datas=kwargs["datas"])

    def recorder(name):
        def step(*args, **kwargs):
            seen[name] = kwargs
            return SimpleNamespace()
        return step

    namespace = {"__file__": str(SPEC), "__name__": "__main__", "SPECPATH": str(PACKAGING), "Analysis": analysis,
                 "PYZ": recorder("pyz"), "EXE": recorder("exe"), "COLLECT": recorder("collect")}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return seen


@pytest.fixture(scope="module")
def spec_run() -> dict:
    return run_spec()


def test_spec_builds_one_folder_app_from_entry_script(spec_run):
    assert [Path(s) for s in spec_run["scripts"]] == [ENTRY]
    assert spec_run["exe"]["name"] == "annotator" and spec_run["exe"]["exclude_binaries"] is True
    assert spec_run["collect"]["name"] == "annotator"  # COLLECT: a folder, not a one-file archive


def test_spec_places_data_where_importlib_resources_looks(spec_run):
    placed = {Path(dest) / Path(source).name for source, dest in spec_run["analysis"]["datas"]}
    expected = {
        Path("annotator/resources/taxonomies/10-rift.yaml"),
        Path("annotator/resources/__init__.py"),
        Path("annotator/sample_data/rubrics.jsonl"),
        Path("annotator/sample_data/labels.csv"),
        Path("annotator/sample_data/__init__.py"),
        Path("annotator/core/migrations/env.py"),
        Path("annotator/core/migrations/script.py.mako"),
        Path("annotator/core/migrations/versions/0001_first_schema.py"),
    }
    assert expected <= placed, sorted(map(str, expected - placed))
    images = [p for p in placed if p.parent == Path("annotator/sample_data/images") and p.suffix == ".png"]
    assert images, "the sample captions' images are not collected"
    assert not [p for p in placed if "__pycache__" in p.parts or p.suffix == ".pyc"]


def test_spec_hidden_imports_cover_runtime_choices(spec_run):
    hidden = set(spec_run["analysis"]["hiddenimports"])
    assert {"sqlalchemy.dialects.sqlite", "alembic", "krippendorff", "sklearn.metrics",
            "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
            "matplotlib.backends.backend_qtagg"} <= hidden
    assert "annotator.core.migrations.env" in hidden
    assert any(name.startswith("annotator.core.migrations.versions.") for name in hidden)
    excluded = set(spec_run["analysis"]["excludes"])
    assert {"tkinter", "PySide6.QtWebEngineCore"} <= excluded
    assert not hidden & excluded


def test_entry_script_runs_the_command_line():
    tree = ast.parse(ENTRY.read_text(encoding="utf-8"))
    imports = {(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names}
    assert ("annotator.cli", "main") in imports
    result = subprocess.run([sys.executable, str(ENTRY), "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("annotator ")


# --- desktop entry ----------------------------------------------------------------------------------------
def test_desktop_entry_has_required_keys():
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"]
    assert entry["Exec"] == "annotator %f"
    assert entry["Icon"] == "annotator"
    assert entry["Categories"].endswith(";")
    assert {"Science", "Education"} <= set(entry["Categories"].rstrip(";").split(";"))
    assert entry["Terminal"] == "false"


# --- icons ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_has_its_size(size):
    assert png_size((ICONS / f"annotator-{size}.png").read_bytes()) == (size, size)


def test_ico_holds_every_size_as_png():
    data = (ICONS / "annotator.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(ICON_SIZES))
    sizes = []
    for index in range(count):
        width, height, _colors, _reserved, _planes, _bpp, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index: 22 + 16 * index])
        image = data[offset: offset + length]
        assert len(image) == length
        assert png_size(image) == (width or 256, height or 256)
        sizes.append(width or 256)
    assert sorted(sizes) == sorted(ICON_SIZES)


def test_make_icon_is_deterministic_and_draws_on_transparency(tmp_path):
    spec = importlib.util.spec_from_file_location("make_icon", PACKAGING / "make_icon.py")
    make_icon = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icon)
    first = {p.name: p.read_bytes() for p in make_icon.write_icons(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in make_icon.write_icons(tmp_path / "b")}
    assert first == second
    assert set(first) == {f"annotator-{s}.png" for s in ICON_SIZES} | {"annotator.ico"}
    pixels = make_icon.render(64)
    assert pixels[0, 0, 3] == 0, "the corner outside the rounded card should be transparent"
    assert tuple(pixels[32, 8, :3]) == (0x1F, 0x6F, 0xEB), "the card's blue should fill its inside"


def test_build_script_is_valid_bash():
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash here")
    result = subprocess.run([bash, "-n", str(PACKAGING / "build.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
