"""How fast a big project's labels export to CSV, next to pandas writing the same table.

Builds a project with 25,000 rubrics of 5 criteria, 8 annotators who each finished every rubric and gave one
criterion label per criterion (1,000,000 label rows, plus a note on 1% of them), inserted in bulk (the set-up
is not timed). Then times `annotator export` (`export_labels_csv`: labels read in the file's order from their
index, rows streamed from the database cursor into the csv module, cells checked for formulas per distinct
value, and an atomic write) and, as the baseline, `pandas.DataFrame.to_csv` of the very table it wrote, read
beforehand (not timed). The two run in turn `--repeat` times and the fastest of each is compared, on the wall
clock and in CPU seconds of this process (SQLite runs inside it), which a busy machine disturbs less.

With `--command` it also times the whole command as a user runs it, process start included: `annotator export`
in a fresh process against a fresh Python process that imports pandas, loads the same table from a pickle and
writes it with `to_csv`.

    python bench/bench_export.py                 # 1,000,000 label rows
    python bench/bench_export.py --items 5000    # 200,000
    python bench/bench_export.py --wide          # also time the wide export
    python bench/bench_export.py --command       # also the whole command, process start included
    python bench/bench_export.py --url postgresql://user@host/empty_db   # the project on PostgreSQL instead
    python bench/bench_export.py --profile       # where the export's time goes (cProfile, top 25)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CRITERIA = 5
ANNOTATORS = [f"annotator{i}" for i in range(1, 9)]
LABELS = ["subjective", "non_atomic", "ungrounded", "misaligned_or_rigid", "hackable"]


def build(path: Path | str, items: int, seed: int = 11) -> int:
    """A project holding items x CRITERIA x len(ANNOTATORS) labels; returns the number of label rows."""
    from sqlalchemy import insert

    from annotator.core import Project
    from annotator.core.model import Criterion, Item
    from annotator.core.store.items import ItemStore
    from annotator.core.store.tables import ANNOTATOR, COMPLETION, LABEL, NOTE

    rng = random.Random(seed)
    stamp = "2026-01-01T00:00:00+00:00"
    with Project.create(path, taxonomies=["rift"]) as project:
        def fill(conn) -> int:
            conn.execute(insert(ANNOTATOR), [{"name": a, "kind": "human", "created_at": stamp} for a in ANNOTATORS])
            count = 0
            for start in range(0, items, 1000):
                batch = [Item(id=f"r{i:06d}", kind="rubric", source="bench", prompt=f"Task {i}: explain it plainly.",
                              criteria=[Criterion(id=f"c{j}", text=f"Point {j} of task {i}")
                                        for j in range(1, CRITERIA + 1)])
                         for i in range(start, min(items, start + 1000))]
                ItemStore.insert_batch(conn, batch, start + 1)
                labels, notes, done = [], [], []
                for it in batch:
                    for a in ANNOTATORS:
                        done.append({"item_id": it.id, "taxonomy": "rift", "annotator": a, "done_at": stamp})
                        for c in it.criteria:
                            labels.append({"item_id": it.id, "taxonomy": "rift", "annotator": a,
                                           "target": f"criterion:{c.id}", "label": rng.choice(LABELS),
                                           "created_at": stamp})
                            if rng.random() < 0.01:
                                notes.append({"item_id": it.id, "taxonomy": "rift", "annotator": a,
                                              "target": f"criterion:{c.id}", "updated_at": stamp,
                                              "text": "the word 'clear' has no anchor, see =HYPERLINK(x)"})
                conn.execute(insert(LABEL), labels)
                conn.execute(insert(COMPLETION), done)
                if notes:
                    conn.execute(insert(NOTE), notes)
                count += len(labels)
            return count

        return project.db.write(fill)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=25_000, help="rubrics (x 40 = label rows; default 25,000)")
    parser.add_argument("--wide", action="store_true", help="also time the wide export")
    parser.add_argument("--command", action="store_true", help="also time the whole command in a fresh process")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the fastest counts (default 3)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--url", help="build the project on this (empty) PostgreSQL database, not a SQLite file")
    parser.add_argument("--project", type=Path, help="a SQLite file to keep the project in: built when missing, "
                        "reused (whatever its size) when there, so runs can compare versions on one project")
    args = parser.parse_args(argv)

    import pandas as pd

    from annotator.core import Project
    from annotator.core.export import export_labels_csv, long_labels_frame

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as folder:
        folder = Path(folder)
        start = time.perf_counter()
        location = args.url or args.project or folder / "big.sqlite"
        if args.project and args.project.exists():
            print(f"reusing the project in {args.project}")
        else:
            rows = build(location, args.items)
            print(f"built a project with {rows:,} label rows in {time.perf_counter() - start:.1f} s (not timed)")
        with Project.open(location) as project:
            frame = long_labels_frame(project)

            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(export_labels_csv, project, folder / "profiled.csv")
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)

            runs: dict[str, list[tuple[float, float]]] = {"pandas": [], "long": [], "wide": []}
            for _ in range(args.repeat):
                written, took = timed(export_labels_csv, project, folder / "long.csv")
                runs["long"].append(took)
                runs["pandas"].append(timed(frame.to_csv, folder / "pandas.csv", index=False)[1])
                if args.wide:
                    wide_rows, took = timed(export_labels_csv, project, folder / "wide.csv", wide=True)
                    runs["wide"].append(took)
        size_mb = (folder / "long.csv").stat().st_size / 1e6
        assert written == len(frame) == len(pd.read_csv(folder / "long.csv", usecols=["label"]))
        commands = command_runs(location, frame, folder, args.repeat) if args.command else None

    pandas_s = fastest(runs["pandas"])
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores); fastest of {args.repeat} runs")
    print(f"{'':<44} {'rows':>10} {'wall s':>7} {'cpu s':>7} {'rows/s':>10} {'wall':>6} {'cpu':>6}")
    print(f"{'':<44} {'':>10} {'':>7} {'':>7} {'(wall)':>10} {'vs pandas':>13}")

    def line(name: str, rows: int, took: tuple[float, float], base: tuple[float, float]) -> None:
        print(f"{name:<44} {rows:>10,} {took[0]:>7.2f} {took[1]:>7.2f} {rows / took[0]:>10,.0f} "
              f"{took[0] / base[0]:>5.1f}x {took[1] / base[1]:>5.1f}x")

    line("pandas DataFrame.to_csv (same table)", len(frame), pandas_s, pandas_s)
    line(f"annotator export (long, {size_mb:.0f} MB)", written, fastest(runs["long"]), pandas_s)
    if args.wide:
        line("annotator export --wide", wide_rows, fastest(runs["wide"]), pandas_s)
    if commands:
        line("process: python, pandas, read_pickle, to_csv", len(frame), commands[0], commands[0])
        line("process: annotator export", written, commands[1], commands[0])
    return 0


def command_runs(location: Path | str, frame, folder: Path, repeat: int) -> tuple[tuple[float, float], ...]:
    """The fastest (wall, CPU) of a fresh process writing the table with pandas, and of `annotator export`.

    The CPU seconds are the child's own, from the resource usage of waited-for children."""
    table = folder / "table.pickle"
    frame.to_pickle(table)
    script = shutil.which("annotator")
    annotator = [script] if script else [sys.executable, "-c", "import sys; from annotator.cli import main; "
                                                               "sys.exit(main())"]
    baseline = [sys.executable, "-c", "import sys, pandas; "
                "pandas.read_pickle(sys.argv[1]).to_csv(sys.argv[2], index=False)", str(table), str(folder / "p.csv")]
    export = [*annotator, "export", str(location), "-o", str(folder / "cli.csv")]
    times: tuple[list, list] = ([], [])
    for _ in range(repeat):
        for command, into in ((baseline, times[0]), (export, times[1])):
            into.append(run_process(command))
    return fastest(times[0]), fastest(times[1])


def run_process(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def fastest(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The fastest run on each clock: what the work costs when the machine lets it run."""
    return min(wall for wall, _ in runs), min(cpu for _, cpu in runs)


def timed(function, *args, **kwargs) -> tuple[object, tuple[float, float]]:
    """The function's result and how long it took: (wall-clock seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


if __name__ == "__main__":
    sys.exit(main())
