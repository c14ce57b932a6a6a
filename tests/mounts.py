"""File systems of a test's own, mounted under its tmp_path: a read-only view of a folder, and a tiny disk.

Mounting needs root (as in CI); where it is refused the test that asked is skipped. Each mount is undone on
leaving, whatever happens inside.
"""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


def _mount(*args: str) -> None:
    try:
        done = subprocess.run(["mount", *args], capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("no mount command here")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a file system here ({done.stderr.strip()[:200]})")


def _unmount(target: Path) -> None:
    # lazy: a connection a failing test left open must not turn its failure into a "target is busy" error
    subprocess.run(["umount", "-l", str(target)], check=True)


@contextmanager
def read_only_folder(source: Path, target: Path) -> Iterator[Path]:
    """`source` seen through a read-only bind mount at `target`."""
    target.mkdir()
    _mount("--bind", str(source), str(target))
    try:
        done = subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot make a read-only mount here ({done.stderr.strip()[:200]})")
        yield target
    finally:
        _unmount(target)


@contextmanager
def on_read_only_file_system(project: Path, tmp_path: Path) -> Iterator[Path]:
    """Move the project file into a folder of its own and yield its path as a read-only mount shows it."""
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    shutil.move(project, shelf / project.name)
    with read_only_folder(shelf, tmp_path / "mounted") as folder:
        yield folder / project.name


@contextmanager
def small_disk(target: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "1m") at `target`: writes past it fail as on a full disk."""
    target.mkdir()
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target))
    try:
        yield target
    finally:
        _unmount(target)
