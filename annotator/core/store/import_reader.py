"""Reading an import's files into batches of staged rows, in a second process when the files are big.

Parsing and validating a record is pure Python and holds the interpreter's lock the whole time, so a thread
could not run it beside the database writes; a process can. For files of some size the records are read,
validated and turned into rows (`staged_rows`) by a worker process while this one writes the previous batch
into the staging tables. The worker is never more than one batch ahead: it sends each batch through a pipe and
waits until this side has taken it, so memory stays as flat as in a plain loop. Nothing about what is written
changes: the batches arrive in file order, the problems with them, and the database is written here alone.

A small import reads in this process: starting the worker (a fresh interpreter loading the readers) costs more
than it can save on a few megabytes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import AnnotatorError, InputError, Problem
from .staged_rows import StagedItem, staged_item

BATCH = 1000
WORKER_MIN_BYTES = 32 << 20  # below this the worker's start-up outweighs the overlap it buys
_JOIN_TIMEOUT_S = 10.0

Progress = Callable[[int, int], None]
Chosen = Callable[[int, str], None]  # (index of the file, format name)
# (index of the file, a batch of rows, None; or, once per file after its last rows, the file's problems)
Batch = tuple[int, list[StagedItem], list[Problem] | None]


def read_staged(paths: list[Path], fmt: str, progress: Progress | None = None,
                chosen: Chosen | None = None) -> Iterator[Batch]:
    """The rows of every file in batches, in order; each file ends with a batch carrying its problems (a list,
    empty when the file is good). `progress(done, total)` counts bytes over all files."""
    total = sum(p.stat().st_size for p in paths if p.is_file())
    if total >= WORKER_MIN_BYTES and _worker_helps():
        return _read_in_worker(paths, fmt, progress, chosen)
    return read_here(paths, fmt, progress, chosen)


def _worker_helps() -> bool:
    """A worker needs a second core and an interpreter to run it (a frozen app has none of its own)."""
    if getattr(sys, "frozen", False) or not sys.executable:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1


def read_here(paths: list[Path], fmt: str, progress: Progress | None = None,
              chosen: Chosen | None = None) -> Iterator[Batch]:
    """`read_staged` in this process."""
    from ..formats import read_records  # the readers load with the first import, not with every project

    total = sum(p.stat().st_size for p in paths if p.is_file())
    done_before = 0
    for index, path in enumerate(paths):
        def file_progress(done: int, _total: int, base: int = done_before) -> None:
            if progress is not None:
                progress(base + done, total)

        def file_format(name: str, index: int = index) -> None:
            if chosen is not None:
                chosen(index, name)

        rows: list[StagedItem] = []
        problems: list[Problem] = []
        try:
            # repeated ids are found by the store in the project and the staged rows, so memory stays flat
            for record in read_records(path, fmt, progress=file_progress, chosen=file_format, track_ids=False):
                rows.append(staged_item(record))
                if len(rows) >= BATCH:
                    yield index, rows, None
                    rows = []
        except InputError as exc:
            problems = list(exc.problems)
        yield index, rows, problems
        if path.is_file():
            done_before += path.stat().st_size


def _read_in_worker(paths: list[Path], fmt: str, progress: Progress | None,
                    chosen: Chosen | None) -> Iterator[Batch]:
    # A plain child interpreter rather than multiprocessing: a spawned process would run the caller's main
    # script again (a notebook's or a user's script without a main guard), and a forked one could copy a lock
    # that a Qt or database thread holds.
    import pickle
    import subprocess

    import annotator

    env = dict(os.environ)
    home = str(Path(annotator.__file__).resolve().parent.parent)  # so the child finds this very package
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [home, env.get("PYTHONPATH")]))
    worker = subprocess.Popen([sys.executable, "-c", _WORKER_CODE, fmt, *map(str, paths)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    try:
        while True:
            try:
                message = pickle.load(worker.stdout)
            except EOFError:
                code = worker.wait(_JOIN_TIMEOUT_S)
                raise AnnotatorError(f"the process reading the files stopped before it was done (exit code "
                                     f"{code}); nothing was imported") from None
            kind = message[0]
            if kind == "batch":
                yield message[1], message[2], message[3]
            elif kind == "progress":
                if progress is not None:
                    progress(message[1], message[2])
            elif kind == "chosen":
                if chosen is not None:
                    chosen(message[1], message[2])
            elif kind == "error":
                raise message[1]
            else:
                return
    finally:
        worker.stdout.close()  # a worker still writing gets a broken pipe and ends
        try:
            worker.wait(_JOIN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


_WORKER_CODE = "from annotator.core.store.import_reader import serve; serve()"


def serve() -> None:
    """The worker process (`python -c ... FORMAT FILE...`): every batch, progress report and format choice is
    pickled to standard output in order; a closed pipe (the importer failed, or was stopped) ends it."""
    import pickle

    fmt, *paths = sys.argv[1:]
    out = sys.stdout.buffer

    def send(*message: Any) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        for index, rows, problems in read_here([Path(p) for p in paths], fmt,
                                                lambda done, total: send("progress", done, total),
                                                lambda index, name: send("chosen", index, name)):
            send("batch", index, rows, problems)
        send("end")
    except (BrokenPipeError, ConnectionResetError):
        os._exit(0)  # nobody listens any more; exit without flushing into the closed pipe
    except Exception as exc:  # the importer raises it as if it had read the files itself
        try:
            send("error", exc)
        except (BrokenPipeError, ConnectionResetError):
            os._exit(0)
        except Exception:  # an error that does not pickle still ends the import with its words
            send("error", AnnotatorError(f"reading the files failed: {type(exc).__name__}: {exc}"))
