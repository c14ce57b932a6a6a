"""How long a label key press takes to reach the disk, next to the cheapest possible durable insert.

Times `project.labels.toggle` (validation, the single-choice rule, one BEGIN IMMEDIATE transaction, commit in
WAL mode) call by call, and beside it a bare `sqlite3` INSERT + COMMIT into a table with the same unique key,
WAL mode and synchronous=NORMAL, on the same disk in the same run. Both are durable against a killed process
when they return. The two are timed in alternating blocks of 50, so that other work on a shared machine
falls on both alike. Prints p50, p95, p99 and the mean in milliseconds, and the p50 and p95 ratios to the
bare insert.

    python bench/bench_latency.py              # 2,000 toggles on a new project file
    python bench/bench_latency.py --n 5000
    python bench/bench_latency.py --url postgresql://user@host/db   # also time a PostgreSQL project
    python bench/bench_latency.py --profile    # where a toggle's time goes (cProfile, top 20)
    python bench/bench_latency.py --cpu        # CPU time of this thread instead of the wall clock

On a shared machine the wall-clock tail (p95, p99) mostly counts the moments another process held the core:
the longer a write runs, the likelier it is to be preempted. `--cpu` times each write by this thread's own CPU
clock, which leaves those moments (and waits on the disk) out: what the write costs where nothing else runs.
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
from typing import Callable, Iterator

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


BLOCK = 50  # writes timed in a row before the other side takes its turn


def project_writes(location: str, items: Path, n: int) -> Iterator[None]:
    """Yield after each toggle of `actions(n)` on a new project; the caller times the steps."""
    from annotator.core import Project

    with Project.create(location, taxonomies=["rift"]) as project:
        project.import_items([items])
        work = actions(n)
        project.labels.toggle(*work[0][:1], "rift", "warmup", work[0][1], work[0][2])  # open the connection
        yield
        for item_id, target, label in work:
            project.labels.toggle(item_id, "rift", "alice", target, label)
            yield


def bare_writes(path: Path, n: int) -> Iterator[None]:
    """Yield after each bare insert and commit of `actions(n)`."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE label (pk INTEGER PRIMARY KEY, item_id TEXT, taxonomy TEXT, annotator TEXT, "
                 "target TEXT, label TEXT, created_at TEXT, UNIQUE (item_id, taxonomy, annotator, target, label))")
    yield
    for k, (item_id, target, label) in enumerate(actions(n)):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR IGNORE INTO label (item_id, taxonomy, annotator, target, label, created_at) "
                     "VALUES (?, 'rift', ?, ?, ?, '2026-01-01T00:00:00')", (item_id, f"a{k}", target, label))
        conn.execute("COMMIT")
        yield
    conn.close()


def time_alternately(sides: list[Iterator[None]], n: int, profile: bool,
                     clock: Callable[[], float] = time.perf_counter) -> list[list[float]]:
    """Time each side's `n` steps, BLOCK steps of one side, then BLOCK of the next, and so on.

    With `profile`, cProfile watches the second side (the project) and prints where its time went."""
    for side in sides:
        next(side)  # set up, untimed
    samples: list[list[float]] = [[] for _ in sides]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    for start in range(0, n, BLOCK):
        for k, side in enumerate(sides):
            watched = profiler is not None and k == 1
            if watched:
                profiler.enable()
            for _ in range(min(BLOCK, n - start)):
                began = clock()
                next(side)
                samples[k].append(clock() - began)
            if watched:
                profiler.disable()
    for side in sides:
        next(side, None)  # let each close what it opened
    if profiler is not None:
        import pstats

        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(20)
    return samples


def show(name: str, figures: dict[str, float], base: dict[str, float] | None = None) -> None:
    ratios = (f"{figures['p50'] / base['p50']:>10.1f}x {figures['p95'] / base['p95']:>10.1f}x" if base
              else f"{'1.0x':>11} {'1.0x':>11}")
    print(f"{name:<36} {figures['p50']:>7.2f} {figures['p95']:>7.2f} {figures['p99']:>7.2f} "
          f"{figures['mean']:>7.2f} {ratios}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="how many toggles (default 2,000)")
    parser.add_argument("--url", help="also time a project on this (empty) PostgreSQL database")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="time by this thread's CPU clock, not the wall clock")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as folder:
        folder = Path(folder)
        items = make_items(folder / "items.jsonl")
        sides = [bare_writes(folder / "bare.sqlite", args.n),
                 project_writes(str(folder / "project.sqlite"), items, args.n)]
        if args.url:
            sides.append(project_writes(args.url, items, args.n))
        clock = time.thread_time if args.cpu else time.perf_counter
        figures = [percentiles(samples) for samples in time_alternately(sides, args.n, args.profile, clock)]
    print(f"label-to-disk latency over {args.n} writes, milliseconds{' of CPU time' if args.cpu else ''}")
    print(f"{'':<36} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} {'p50 vs bare':>11} {'p95 vs bare':>11}")
    show("bare sqlite3 insert+commit (WAL)", figures[0])
    show("project.labels.toggle (SQLite)", figures[1], figures[0])
    if args.url:
        show("project.labels.toggle (PostgreSQL)", figures[2], figures[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
