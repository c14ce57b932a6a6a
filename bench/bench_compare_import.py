"""Where the time of a big import goes, measured against the floor: a bare sqlite3 executemany of the same rows.

Generates N reasoning traces of about 4 KB (the generator of bench/bench_import.py), then in one run:

1. `Project.import_items` into a new project: reading, validating, splitting, ids, one transaction (into a
   project with no item, up to 256 MB of files, each item is written once: no staging tables);
2. reading and validating alone (`read_records` over the file, nothing stored);
3. the baseline: the same parsed records turned into the store's own item and unit rows (not timed), then
   inserted with a bare `sqlite3` executemany into the project's tables as its migrations make them (same
   columns, search text included, same indexes and foreign keys, checked), WAL mode, one commit.

The readers are loaded before any clock starts, so no timing includes importing modules.

So (1) - (2) is what storing costs in the app, and (3) is what storing costs at the least.

    python bench/bench_compare_import.py              # 100,000 traces (a file of about 420 MB)
    python bench/bench_compare_import.py --n 10000
    python bench/bench_compare_import.py --profile    # where the project import's time goes (top 25)
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import import_file, write_traces  # noqa: E402  (the shared generator and import)

BATCH = 1000

# The project's own tables as its migrations leave them: the search text column and the foreign keys too, so the
# baseline writes every byte and checks every key the app does.
BARE_SCHEMA = """
CREATE TABLE blob (sha TEXT PRIMARY KEY NOT NULL, data BLOB NOT NULL);
CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, position INTEGER NOT NULL, kind TEXT NOT NULL,
                   source TEXT NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL,
                   image_sha TEXT REFERENCES blob (sha), text TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX ix_item_position ON item (position);
CREATE INDEX ix_item_kind ON item (kind);
CREATE INDEX ix_item_source ON item (source);
CREATE TABLE unit (item_id TEXT NOT NULL REFERENCES item (id), target TEXT NOT NULL, kind TEXT NOT NULL,
                   position INTEGER NOT NULL, PRIMARY KEY (item_id, target));
CREATE INDEX ix_unit_item ON unit (item_id, position);
"""


def time_project_import(data: Path, project_path: Path, profile: bool) -> tuple[float, int]:
    from annotator.core import Project
    import annotator.core.formats  # noqa: F401  (loaded before the clock starts, as for the other two timings)

    with Project.create(project_path, taxonomies=["reasoning_errors"]) as project:
        start = time.perf_counter()
        summary = import_file(project, data, profile)
        return time.perf_counter() - start, summary.items


def time_reading(data: Path) -> tuple[float, int]:
    from annotator.core.formats import read_records

    start = time.perf_counter()
    count = sum(1 for _ in read_records(data))
    return time.perf_counter() - start, count


def time_bare_sqlite(data: Path, path: Path) -> tuple[float, int]:
    """Insert the parsed rows with executemany; only the database calls and the commit are timed."""
    from annotator.core.formats import read_records
    from annotator.core.store.items import item_row, unit_rows

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(BARE_SCHEMA)
    columns = ("id", "position", "kind", "source", "title", "data", "image_sha", "text")
    spent = 0.0
    count = 0
    batch = []

    def flush() -> float:
        items = [tuple(item_row(rec.item, count - len(batch) + k + 1, None)[c] for c in columns)
                 for k, rec in enumerate(batch)]
        units = [(u["item_id"], u["target"], u["kind"], u["position"]) for rec in batch for u in unit_rows(rec.item)]
        start = time.perf_counter()
        conn.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?)", items)
        conn.executemany("INSERT INTO unit VALUES (?, ?, ?, ?)", units)
        return time.perf_counter() - start

    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    spent += time.perf_counter() - start
    for rec in read_records(data):
        batch.append(rec)
        count += 1
        if len(batch) == BATCH:
            spent += flush()
            batch = []
    if batch:
        spent += flush()
    start = time.perf_counter()
    conn.execute("COMMIT")
    spent += time.perf_counter() - start
    conn.close()
    return spent, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="how many traces (default 100,000)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as folder:
        folder = Path(folder)
        data = folder / "traces.jsonl"
        start = time.perf_counter()
        size = write_traces(data, args.n)
        print(f"wrote {args.n:,} traces ({size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s (not timed)")
        imported, n_import = time_project_import(data, folder / "project.sqlite", args.profile)
        reading, n_read = time_reading(data)
        bare, n_bare = time_bare_sqlite(data, folder / "bare.sqlite")
    assert n_import == n_read == n_bare == args.n
    storing = imported - reading
    print(f"{'':<52} {'seconds':>8} {'items/s':>9}")
    print(f"{'1. project.import_items (read + validate + store)':<52} {imported:>8.2f} {args.n / imported:>9,.0f}")
    print(f"{'2. reading and validating alone':<52} {reading:>8.2f} {args.n / reading:>9,.0f}")
    print(f"{'   storing in the app (1 - 2)':<52} {storing:>8.2f} {args.n / max(storing, 1e-9):>9,.0f}")
    print(f"{'3. baseline: bare sqlite3 executemany, same rows':<52} {bare:>8.2f} {args.n / bare:>9,.0f}")
    print(f"storing costs {storing / bare:.2f}x the bare executemany; the whole import {imported / bare:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
