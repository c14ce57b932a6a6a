"""How long the command line takes to answer, beside a bare interpreter that imports json and sqlite3.

    python bench/bench_startup.py [--runs 15] [--items 2000]

Every command a script runs pays the interpreter's start and the imports the command needs, so `annotator
--version` should cost little more than Python itself, and `annotator info` little more than reading a few
counts from SQLite. Each command runs `--runs` times in a fresh process; the figures are the median and the
fastest wall-clock time, and the median's ratio to the baseline's. The project for `info` is built once in a
temporary folder (`--items` rubrics, labels by three annotators). Each command runs once before it is timed, with
PYTHONDONTWRITEBYTECODE unset, so every run finds the compiled modules an installed app would have.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build(folder: Path, n: int) -> Path:
    from annotator.core.store import Project

    items = folder / "items.jsonl"
    with items.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"id": f"r{i:05d}", "kind": "rubric", "source": "bench",
                                  "prompt": f"Summarise report {i} in five sentences.",
                                  "criteria": ["Keeps to five sentences.", "Names the main finding."]}) + "\n")
    path = folder / "bench.sqlite"
    with Project.create(path) as project:
        project.import_items([items])
        for who in ("ann", "bo", "cy"):
            for i in range(0, n, 7):
                project.labels.add(f"r{i:05d}", "rift", who, "criterion:c1", "subjective")
    return path


def time_runs(command: list[str], runs: int) -> list[float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, env=env)  # writes the .pyc files a first run would
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()

    script = shutil.which("annotator")
    annotator = [script] if script else [sys.executable, "-c", "import sys; from annotator.cli import main; "
                                                               "sys.exit(main())"]
    with tempfile.TemporaryDirectory() as tmp:
        project = build(Path(tmp), args.items)
        commands = [
            ("baseline: python -c 'import json, sqlite3'", [sys.executable, "-c", "import json, sqlite3"]),
            ("annotator --version", [*annotator, "--version"]),
            ("annotator --help", [*annotator, "--help"]),
            (f"annotator info ({args.items} items)", [*annotator, "info", str(project)]),
            ("annotator info --json", [*annotator, "info", str(project), "--json"]),
        ]
        rows = [(name, time_runs(command, args.runs)) for name, command in commands]

    base = statistics.median(rows[0][1])
    print(f"{'command':<42}{'median ms':>11}{'fastest ms':>12}{'vs baseline':>13}")
    for name, times in rows:
        median = statistics.median(times)
        print(f"{name:<42}{median * 1000:>11.0f}{min(times) * 1000:>12.0f}{median / base:>12.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
