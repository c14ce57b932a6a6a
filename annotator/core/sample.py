"""The sample project every new user opens first, built from the files in sample_data/."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import Callable

from .labels_csv import import_labels_csv
from .metric_runs import run_heuristic_metrics
from .predictions_io import import_predictions
from .store.project import Project

ITEM_FILES = ("rubrics.jsonl", "rubrics_healthbench.jsonl", "rubrics_rift.jsonl", "captions.jsonl",
              "traces.jsonl", "traces_prm800k.jsonl", "traces_processbench.jsonl")


def data_home() -> Path:
    """Where the app keeps its own files: ANNOTATOR_HOME, else the platform's per-user data folder."""
    if os.environ.get("ANNOTATOR_HOME"):
        return Path(os.environ["ANNOTATOR_HOME"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "annotator"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "annotator"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "annotator"


def sample_dir() -> Path:
    return Path(str(resources.files("annotator.sample_data")))


def default_sample_path() -> Path:
    return data_home() / "sample.sqlite"


def build_sample_project(path: str | Path | None = None, fresh: bool = False,
                         progress: Callable[[str], None] | None = None,
                         items_progress: Callable[[int, int], None] | None = None) -> Path:
    """Build the sample project at `path` (default: the data folder) unless it is there already.

    `fresh` replaces an existing one. `progress` hears a line after each stage, `items_progress` (done, total)
    during the item import, the long stage, so a first run can show how far it got. Returns the project's path."""
    path = Path(path) if path else default_sample_path()
    if path.exists() and not fresh:
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    folder = sample_dir()
    tmp = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    say = progress or (lambda _msg: None)
    with Project.create(tmp) as project:
        files = [folder / name for name in ITEM_FILES if (folder / name).exists()]
        say(project.import_items(files, progress=items_progress).line())
        if (folder / "labels.csv").exists():
            say(import_labels_csv(project, [folder / "labels.csv"]).line())
        if (folder / "predictions.csv").exists():
            say(import_predictions(project, [folder / "predictions.csv"]).line())
        say(run_heuristic_metrics(project).line())
    os.replace(tmp, path)
    return path
