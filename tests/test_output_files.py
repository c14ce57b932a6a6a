"""Output files (exports, reports, items JSONL) get the user's permissions and leave nothing behind when a
write fails, is interrupted or is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.core.export import export_items_jsonl, export_labels_csv
from annotator.core.output_files import atomic_path


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_exports_follow_the_umask(filled_project, tmp_path, umask, mask, mode):
    filled_project.labels.add("r1", "rift", "alice", "item", "low_signal")
    umask(mask)
    outputs = {"long.csv": lambda out: export_labels_csv(filled_project, out),
               "wide.csv": lambda out: export_labels_csv(filled_project, out, wide=True),
               "gold.csv": lambda out: export_labels_csv(filled_project, out, gold=True),
               "items.jsonl": lambda out: export_items_jsonl(filled_project, out)}
    for name, write in outputs.items():
        write(tmp_path / name)
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


def test_a_report_follows_the_umask(tmp_path, umask):
    umask(0o027)
    with atomic_path(tmp_path / "report.html", ".html") as tmp:
        tmp.write_text("<p>figures</p>", encoding="utf-8")
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("stop", [RuntimeError("disk full"), KeyboardInterrupt(), SystemExit(143)])
def test_a_failed_or_interrupted_write_leaves_no_temporary_file(tmp_path, stop):
    out = tmp_path / "labels.csv"
    out.write_text("the last good export")
    with pytest.raises(type(stop)):
        with atomic_path(out, ".csv") as tmp:
            tmp.write_text("half of it")
            raise stop
    assert [p.name for p in tmp_path.iterdir()] == ["labels.csv"]
    assert out.read_text() == "the last good export"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120)


def test_a_killed_writers_leftover_goes_at_the_next_write(tmp_path):
    out = tmp_path / "labels.csv"
    killed = _run(f"""
        import os, signal
        from annotator.core.output_files import atomic_path
        with atomic_path({str(out)!r}, ".csv") as tmp:
            tmp.write_text("half of it")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert killed.returncode == -signal.SIGKILL
    [leftover] = [p for p in tmp_path.iterdir()]
    assert leftover.name.startswith(".labels.csv.")  # SIGKILL gives no process a chance to clean up
    live = tmp_path / f".labels.csv.{os.getpid()}-0000.csv"  # a writer still at work: not touched
    live.write_text("busy")
    with atomic_path(out, ".csv") as tmp:
        tmp.write_text("a whole export")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "labels.csv"])
    assert out.read_text() == "a whole export"


def test_sigterm_during_an_export_command_leaves_no_temporary_file(filled_project, tmp_path):
    filled_project.labels.add("r1", "rift", "alice", "item", "low_signal")
    out = tmp_path / "out" / "labels.csv"
    # the export is stopped from inside its write, the moment its temporary file exists
    ended = _run(f"""
        import os, signal, sys, time
        import annotator.core.export as export
        from annotator.cli import main

        class Stopped(export.SafeCsvWriter):
            def write(self, rows):
                super().write(rows)
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(30)

        export.SafeCsvWriter = Stopped
        sys.exit(main(["export", {str(tmp_path / "project.sqlite")!r}, "-o", {str(out)!r}]))
    """)
    assert ended.returncode == 128 + signal.SIGTERM, ended.stderr
    assert list(out.parent.iterdir()) == []
