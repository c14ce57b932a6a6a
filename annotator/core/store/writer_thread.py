"""Writing one batch on a thread of its own while the caller reads the next.

An import spends about as long reading and validating its records (Python, holding the interpreter lock) as
SQLite spends storing them (C, with the lock released). Done in turn, the two add up; with the storing on a
thread behind the reader, SQLite works while Python reads, and on two cores the import takes little more than
the longer of the two. The storing thread needs the interpreter lock only to start each statement, so its
statements must be large: `bulk_insert` writes hundreds of rows per statement on SQLite for that reason (with
executemany, which takes the lock back for every row, the two threads only took turns).

The batches are stored one at a time, in the order given, by one thread: the caller must not use the
connection the work writes to until the `with` block has ended.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

B = TypeVar("B")

_END = object()


class WriterThread(Generic[B]):
    """`with WriterThread(work) as writer: writer.put(batch)...` runs `work(batch)` on one thread, in order.

    At most `depth` batches wait (so memory holds a few batches, whatever the input's size). An exception
    raised by `work` stops the storing, comes back to the caller at its next `put` or at the end of the block,
    and the batches after it are dropped. An exception in the caller's block (a cancelled import) lets the
    batch being stored finish, drops the rest and ends the thread before the block is left, so the caller can
    roll back a connection nobody is using any more."""

    def __init__(self, work: Callable[[B], None], depth: int = 1, name: str = "annotator-writer"):
        self._work = work
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> WriterThread[B]:
        self._thread.start()
        return self

    def put(self, batch: B) -> None:
        self._raise_error()
        self._queue.put(batch)

    def _run(self) -> None:
        while (batch := self._queue.get()) is not _END:
            if self._error is None and not self._stop.is_set():
                try:
                    self._work(batch)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self._error = exc

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._stop.set()
        self._queue.put(_END)
        self._thread.join()
        if exc_type is None:
            self._raise_error()
