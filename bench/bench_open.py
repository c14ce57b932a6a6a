"""How long the app takes to open a project, and how much memory it holds, for 100 and for 100,000 items.

    python bench/bench_open.py [--sizes 100 100000] [--keep DIR]

Each size is measured in a fresh process (headless Qt): opening the project, building the main window's lazy
item list, showing the first item, then jumping to the last row. Lazy lists should make both sizes cost about
the same; the figures printed are wall-clock seconds and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 20_000


def build(path: Path, n: int) -> None:
    from annotator.core.model import Criterion, Item
    from annotator.core.store import Project
    from annotator.core.store.items import ItemStore

    def make(i: int) -> Item:
        return Item(id=f"b{i:06d}", kind="rubric", source=f"bench-{i % 5}",
                    prompt=f"Summarise report {i} for a busy manager in five sentences.",
                    criteria=(Criterion(id="c1", text="Keeps to five sentences.", points=1),
                              Criterion(id="c2", text="Names the report's main finding.", points=2)))

    with Project.create(path) as project:
        for start in range(0, n, CHUNK):
            chunk = [make(i) for i in range(start, min(n, start + CHUNK))]
            project.db.write(lambda conn, c=chunk, s=start: ItemStore.insert_batch(conn, c, s + 1))


def measure(path: str) -> dict:
    """Runs in the child process: open the real main window on the project and time it."""
    import resource

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.core.store import Project
    from annotator.gui.main_window import MainWindow
    from annotator.gui.settings import AppSettings

    app = QApplication([])
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    settings = AppSettings(QSettings(str(Path(path).with_suffix(".ini")), QSettings.Format.IniFormat))
    start = time.perf_counter()
    window = MainWindow(settings, "bench")
    window.show()
    window.set_project(Project.open(path), path)
    app.processEvents()
    opened = time.perf_counter() - start
    model = window.item_list.model
    start = time.perf_counter()
    window.item_list.select_row(model.rowCount() - 1)
    app.processEvents()
    last = time.perf_counter() - start
    shown = window.session.item.id if window.session and window.session.item else None
    window.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"items": model.rowCount(), "open_s": opened, "jump_to_last_s": last, "last_item": shown,
            "peak_rss_mb": peak / 1024, "rss_growth_mb": (peak - base) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--keep", help="build the projects in this folder and keep them")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="annotator-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'items':>8}  {'build s':>8}  {'open s':>7}  {'to last s':>9}  {'peak MB':>8}  {'growth MB':>9}")
    for n in args.sizes:
        path = folder / f"bench-{n}.sqlite"
        started = time.perf_counter()
        if not path.exists():
            build(path, n)
        built = time.perf_counter() - started
        out = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True,
                             check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['items']:>8}  {built:>8.1f}  {r['open_s']:>7.3f}  {r['jump_to_last_s']:>9.3f}  "
              f"{r['peak_rss_mb']:>8.1f}  {r['rss_growth_mb']:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
