"""How long a label key press takes to reach the disk, next to the cheapest possible durable insert.

Times `project.labels.toggle` (validation, the single-choice rule, one BEGIN IMMEDIATE transaction, commit in
WAL mode) call by call, and beside it a bare `sqlite3` INSERT + COMMIT into a table with the same unique key,
WAL mode and synchronous=NORMAL, on the same disk in the same run. Both are durable against a killed process
when they return. Prints p50, p95, p99 and the mean in milliseconds.

    python bench/bench_latency.py              # 2,000 toggles on a new project file
    python bench/bench_latency.py --n 5000
    python bench/bench_latency.py --url postgresql://user@host/db   # also time a PostgreSQL project
    python bench/bench_latency.py --profile    # where a toggle's time goes (cProfile, top 20)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

LABELS = ["subjective", "non_atomic", "ungrounded", "misaligned_or_rigid", "hackable"]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": statistics.fmean(ordered) * 1000}


def make_items(path: Path, count: int = 200) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({"id": f"r{i:04d}", "kind": "rubric", "source": "bench",
                                  "prompt": f"Task {i}: explain one idea plainly.",
                                  "criteria": [f"Point {j} is covered" for j in range(1, 6)]}) + "\n")
    return path


def actions(n: int) -> list[tuple[str, str, str]]:
    """N toggles walking over items, criteria and labels; a second visit to a key takes the label away."""
    out = []
    i = 0
    while len(out) < n:
        out.append((f"r{(i // 25) % 200:04d}", f"criterion:c{(i // 5) % 5 + 1}", LABELS[i % 5]))
        i += 1
    return out


def time_project(location: str, items: Path, n: int, profile: bool) -> list[float]:
    from annotator.core import Project

    with Project.create(location, taxonomies=["rift"]) as project:
        project.import_items([items])
        work = actions(n)
        project.labels.toggle(*work[0][:1], "rift", "warmup", work[0][1], work[0][2])  # open the pool
        samples = []
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        for item_id, target, label in work:
            start = time.perf_counter()
            project.labels.toggle(item_id, "rift", "alice", target, label)
            samples.append(time.perf_counter() - start)
        if profile:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(20)
    return samples


def time_bare_sqlite(path: Path, n: int) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE label (pk INTEGER PRIMARY KEY, item_id TEXT, taxonomy TEXT, annotator TEXT, "
                 "target TEXT, label TEXT, created_at TEXT, UNIQUE (item_id, taxonomy, annotator, target, label))")
    samples = []
    for k, (item_id, target, label) in enumerate(actions(n)):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR IGNORE INTO label (item_id, taxonomy, annotator, target, label, created_at) "
                     "VALUES (?, 'rift', ?, ?, ?, '2026-01-01T00:00:00')", (item_id, f"a{k}", target, label))
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - start)
    conn.close()
    return samples


def show(name: str, figures: dict[str, float], base: dict[str, float] | None = None) -> None:
    ratio = f"{figures['p50'] / base['p50']:>7.1f}x" if base else f"{'1.0x':>8}"
    print(f"{name:<34} {figures['p50']:>7.2f} {figures['p95']:>7.2f} {figures['p99']:>7.2f} "
          f"{figures['mean']:>7.2f} {ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="how many toggles (default 2,000)")
    parser.add_argument("--url", help="also time a project on this (empty) PostgreSQL database")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as folder:
        folder = Path(folder)
        items = make_items(folder / "items.jsonl")
        bare = percentiles(time_bare_sqlite(folder / "bare.sqlite", args.n))
        project = percentiles(time_project(str(folder / "project.sqlite"), items, args.n, args.profile))
        server = percentiles(time_project(args.url, items, args.n, False)) if args.url else None
    print(f"label-to-disk latency over {args.n} writes, milliseconds")
    print(f"{'':<34} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} {'p50 vs bare':>8}")
    show("bare sqlite3 insert+commit (WAL)", bare)
    show("project.labels.toggle (SQLite)", project, bare)
    if server:
        show("project.labels.toggle (PostgreSQL)", server, bare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
