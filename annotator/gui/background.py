"""Long work off the UI thread: the one helper every slow operation goes through.

`run_in_background(work, on_success, on_failure)` runs `work(task)` on Qt's thread pool and calls the
callbacks on the UI thread. `work` reports progress with `task.progress(done, total)` and should stop when
`task.cancelled` turns true (raising `Cancelled` is the simple way). Work that touches a project opens its own
`Project` inside the worker: SQLite connections belong to the thread that made them.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class Cancelled(Exception):
    """Raised inside work that noticed the user pressed Cancel."""


class BackgroundTask(QObject):
    """One piece of background work. Its signals are delivered on the UI thread (the object lives there)."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)
    finished = Signal()

    def __init__(self, work: Callable[[BackgroundTask], Any], parent: QObject | None = None,
                 pool: QThreadPool | None = None):
        # Never a Qt child of `parent`: a window closed while its work still runs would delete the task under
        # the worker's feet. The task lives until its work ends (see _RUNNING); the owner going away only
        # cancels the work and silences the callbacks.
        super().__init__(None)
        self._work = work
        self._pool = pool
        self._cancel = threading.Event()
        self.running = False
        self.on_success: Callable[[Any], None] | None = None
        self.on_failure: Callable[[BaseException], None] | None = None
        self.on_progress: Callable[[int, int], None] | None = None
        # Connected to this object's own slots, so the callbacks run on the thread the task lives on (the UI).
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)
        self.progressed.connect(self._deliver_progress)
        self.finished.connect(self._done)
        if parent is not None:
            parent.destroyed.connect(self._owner_gone)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def progress(self, done: int, total: int) -> None:
        """Called from the worker; raises Cancelled once the user has asked to stop."""
        self.progressed.emit(int(done), int(total))
        if self._cancel.is_set():
            raise Cancelled()

    def start(self) -> BackgroundTask:
        self.running = True
        _RUNNING.add(self)
        (self._pool or QThreadPool.globalInstance()).start(_Runner(self))
        return self

    def _run(self) -> None:
        try:
            if self._cancel.is_set():
                raise Cancelled()
            result = self._work(self)
        except Exception as exc:  # noqa: BLE001 - any failure goes to the UI thread, never lost in a worker
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._tell(self.failed, exc)
        else:
            self._tell(self.succeeded, result)
        self._tell(self.finished)

    def _tell(self, signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the interpreter is exiting and took the task's Qt side with it: nobody to tell
            pass

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        if self.on_success:
            self.on_success(result)

    @Slot(object)
    def _deliver_failure(self, exc: object) -> None:
        if self.on_failure:
            self.on_failure(exc)  # type: ignore[arg-type]

    @Slot(int, int)
    def _deliver_progress(self, done: int, total: int) -> None:
        if self.on_progress:
            self.on_progress(done, total)

    @Slot()
    def _owner_gone(self) -> None:
        self._cancel.set()
        self.on_success = self.on_failure = self.on_progress = None

    @Slot()
    def _done(self) -> None:
        self.running = False
        _RUNNING.discard(self)


class _Runner(QRunnable):
    def __init__(self, task: BackgroundTask):
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self._task._run()


_RUNNING: set[BackgroundTask] = set()  # keeps tasks alive until their signals have been delivered


def run_in_background(work: Callable[[BackgroundTask], Any],
                      on_success: Callable[[Any], None] | None = None,
                      on_failure: Callable[[BaseException], None] | None = None,
                      on_progress: Callable[[int, int], None] | None = None,
                      parent: QObject | None = None, pool: QThreadPool | None = None) -> BackgroundTask:
    """Start `work(task)` on the thread pool (or on `pool`, see `side_pool`); the callbacks run on the UI
    thread."""
    task = BackgroundTask(work, parent, pool)
    task.on_success, task.on_failure, task.on_progress = on_success, on_failure, on_progress
    return task.start()


_SIDE_POOLS: dict[str, QThreadPool] = {}


def side_pool(name: str) -> QThreadPool:
    """A one-thread pool of its own for short work the user waits on while looking at the screen (the answer
    badge), so it never queues behind long statistics on the shared pool."""
    if name not in _SIDE_POOLS:
        pool = QThreadPool()
        pool.setMaxThreadCount(1)
        _SIDE_POOLS[name] = pool
    return _SIDE_POOLS[name]


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Let running work finish (on quit, and in tests)."""
    done = QThreadPool.globalInstance().waitForDone(timeout_ms)
    return all([pool.waitForDone(timeout_ms) for pool in _SIDE_POOLS.values()]) and done
