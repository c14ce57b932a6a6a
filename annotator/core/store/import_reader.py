"""Reading an import's files into batches of staged rows, in file order, with each file's problems.

The store stages a batch at a time, so memory holds one batch of rows however big the files are. Reading runs
in this process: a worker process that read and validated while this one wrote was tried, and on two cores
shared with other work it made imports slower (its start-up and the pickling of every row cost more CPU than
the overlap gave back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import InputError, Problem
from .staged_rows import StagedItem, staged_item

BATCH = 1000

Progress = Callable[[int, int], None]
Chosen = Callable[[int, str], None]  # (index of the file, format name)
# (index of the file, a batch of rows, None; or, once per file after its last rows, the file's problems)
Batch = tuple[int, list[StagedItem], list[Problem] | None]


def read_staged(paths: list[Path], fmt: str, progress: Progress | None = None,
                chosen: Chosen | None = None) -> Iterator[Batch]:
    """The rows of every file in batches, in order; each file ends with a batch carrying its problems (a list,
    empty when the file is good). `progress(done, total)` counts bytes over all files."""
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
