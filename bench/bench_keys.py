"""How long the main window takes to answer each annotating key on long items, beside an empty event-loop turn.

Builds a project of 60-step traces (about 78,000 characters each) and 12-criterion rubrics, opens the real main
window headless (settings in a temporary file, ANNOTATOR_HOME in a temporary folder), and presses j, 1, n, p,
Ctrl+Z and a span sequence (s, Shift+Right ten times, 1, Esc) many times with QTest key clicks. Each figure is
the time from sending the key event until `QApplication.processEvents()` returns and the widgets the key let go
of are deleted, so it includes the layout and deletion work the key queued. The empty turn (the same with nothing
sent) is measured in the same run: on a shared, loaded machine it shows how much is the machine, not the app.
Each key is also given the UI thread's own CPU time over the same stretch, which other jobs on a busy machine
move much less than the wall clock. Before each press the window rests 50 ms, untimed, processing its events as
it would between a person's keys (at most about twenty a second).

    python bench/bench_keys.py                 # 20 traces and 20 rubrics, 60 presses per key
    python bench/bench_keys.py --presses 200
    python bench/bench_keys.py --profile n     # where n's time goes (cProfile; --sort cumulative)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REST_S = 0.05  # the untimed pause before each press

WORDS = ("the root of the equation follows once we factor the quadratic and compare both sides carefully so "
         "that each term matches while the constant stays fixed and we check the sign of every coefficient "
         "before moving on").split()


def step_text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def make_items(traces: int, rubrics: int, steps: int, trace_chars: int, criteria: int):
    from annotator.core.model import Criterion, Item, Step

    rng = random.Random(17)
    per_step = trace_chars // steps
    items = [Item(id=f"t{i:03d}", kind="trace", source="bench", problem=f"Problem {i}: find the larger root.",
                  steps=tuple(Step(id=f"s{j}", text=step_text(rng, per_step)) for j in range(1, steps + 1)),
                  answer="4", reference_answer="4") for i in range(traces)]
    items += [Item(id=f"r{i:03d}", kind="rubric", source="bench", prompt=f"Task {i}: " + step_text(rng, 400),
                   criteria=tuple(Criterion(id=f"c{j}", text=step_text(rng, 120)) for j in range(1, criteria + 1)))
              for i in range(rubrics)]
    return items


def build_project(path: Path, items) -> str:
    from annotator.core.store import Project
    from annotator.core.store.items import ItemStore

    with Project.create(path) as project:
        project.db.write(lambda conn: ItemStore.insert_batch(conn, items, 1, {}))
    return str(path)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"p50 {at(0.5):7.2f}  p95 {at(0.95):7.2f}  max {ordered[-1] * 1000:7.2f} ms  (n={len(ordered)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=60, help="presses per key (default 60)")
    parser.add_argument("--traces", type=int, default=20)
    parser.add_argument("--rubrics", type=int, default=20)
    parser.add_argument("--profile", metavar="KEY", choices=("j", "1", "Ctrl+Z", "n", "p", "span"),
                        help="also print where the time of this key's presses goes (cProfile)")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"),
                        help="order of the profile: own time (default) or time with callees")
    args = parser.parse_args(argv)

    home = tempfile.TemporaryDirectory()
    os.environ["ANNOTATOR_HOME"] = home.name
    from PySide6.QtCore import QEvent, QSettings, QStandardPaths, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from annotator.gui.background import wait_for_all
    from annotator.gui.main_window import MainWindow
    from annotator.gui.settings import AppSettings

    app = QApplication.instance() or QApplication(sys.argv)
    QStandardPaths.setTestModeEnabled(True)
    started = time.perf_counter()
    items = make_items(args.traces, args.rubrics, 60, 78_000, 12)
    path = build_project(Path(home.name) / "bench.sqlite", items)
    print(f"project: {args.traces} traces of 60 steps ({sum(len(s.text) for s in items[0].steps):,} characters "
          f"each), {args.rubrics} rubrics of 12 criteria; built in {time.perf_counter() - started:.1f} s")

    settings = AppSettings(QSettings(str(Path(home.name) / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, "bench")
    window.resize(1400, 900)
    window.show()
    opened: list[bool] = []
    window.projectOpened.connect(lambda *_: opened.append(True))
    window.open_project(path)

    def settle(condition: Callable[[], bool], what: str) -> None:
        deadline = time.perf_counter() + 120
        while not condition():
            app.processEvents()
            time.sleep(0.005)
            if time.perf_counter() > deadline:
                raise SystemExit(f"bench: timed out waiting for {what}")

    settle(lambda: bool(opened) and window.session is not None and window.session.item is not None, "the project")
    window.activateWindow()
    window.setFocus()
    row = window.item_list.model.row_of("t000")
    window.item_list.select_row(row)
    settle(lambda: window.session.item.id == "t000", "the first trace")
    for _ in range(20):
        app.processEvents()

    profiler = cProfile.Profile() if args.profile else None

    def rest() -> None:
        """The pause before a press, untimed: a person's keys come at most about twenty a second, and the
        window does its idle work (reading ahead, laying out the next steps) meanwhile."""
        until = time.perf_counter() + REST_S
        while time.perf_counter() < until:
            app.processEvents()
            time.sleep(0.002)

    def timed(send: Callable[[], None], name: str) -> None:
        if name != "empty turn":
            rest()
        profiling = profiler is not None and name == args.profile
        if profiling:
            profiler.enable()
        t0, c0 = time.perf_counter(), time.thread_time()
        send()
        app.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # widgets the key let go of
        results[name].append(time.perf_counter() - t0)
        cpu[name].append(time.thread_time() - c0)
        if profiling:
            profiler.disable()

    def key(k, modifier=Qt.KeyboardModifier.NoModifier, widget=None) -> Callable[[], None]:
        return lambda: QTest.keyClick(widget or window, k, modifier)

    def to_reasoning_errors() -> None:
        while window.session.taxonomy.id != "reasoning_errors":
            QTest.keyClick(window, "t")
            app.processEvents()

    results: dict[str, list[float]] = {name: [] for name in ("empty turn", "j", "1", "Ctrl+Z", "n", "p", "span")}
    cpu: dict[str, list[float]] = {name: [] for name in results}  # the UI thread's own CPU time per press
    to_reasoning_errors()
    for _ in range(args.presses):  # an idle window: what the machine alone costs a turn
        time.sleep(0.01)
        timed(lambda: None, "empty turn")
    for i in range(args.presses):
        if window.session.unit_index >= 55:  # back near the top, so j keeps moving
            while window.session.unit_index > 1:
                QTest.keyClick(window, "k")
            app.processEvents()
        timed(key("j"), "j")
        timed(key("1"), "1")
        timed(key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier), "Ctrl+Z")
    forward = True  # n through the traces to the last, then p back to the first
    for _ in range(2 * args.presses):
        at = int(window.session.item.id[1:])
        forward = at < args.traces - 1 if forward else at == 0
        timed(key("n" if forward else "p"), "n" if forward else "p")
    # the span sequence on the selected step: s, ten Shift+Right, the label key, Esc
    to_reasoning_errors()
    for _ in range(max(1, args.presses // 6)):
        QTest.keyClick(window, "j")
        app.processEvents()
        timed(key("s"), "span")
        text = QApplication.focusWidget()
        for _ in range(10):
            timed(key(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, text), "span")
        timed(key("1", widget=text), "span")
        timed(key(Qt.Key.Key_Escape, widget=text), "span")
    print("wall clock (what the annotator waits):")
    for name, samples in results.items():
        print(f"  {name:11} {percentiles(samples)}")
    print("UI-thread CPU time (what the app spends; less moved by other jobs on the machine):")
    for name, samples in cpu.items():
        print(f"  {name:11} {percentiles(samples)}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(30)
    window.close()
    wait_for_all()
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: PySide6 may crash collecting the window's leftovers at exit


if __name__ == "__main__":
    sys.exit(main())
