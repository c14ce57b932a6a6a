"""The one CSV reader: items, labels and predictions files all come through here, so they agree on what a bad
file is (not UTF-8, a NUL, a ragged row, a repeated or missing column, a Git LFS pointer) and say it alike.

    log = ProblemLog()
    for line, row in csv_rows(path, log, required=("item_id", "taxonomy")):
        ...
    if log: raise InputError(log.final(str(path)))
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from .problems import ProblemLog
from .reader import iter_raw


def csv_rows(path: Path, log: ProblemLog, required: Sequence[str] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) for each row of a CSV file with a header; every layout problem goes to `log`.

    A header without a `required` column is one problem and no row is read (each row would repeat it).
    The file is read as CSV whatever its name ends with.
    """
    header: list[tuple[int, list[str]]] = []
    checked = False
    for line, row in iter_raw(path, log, header=header, layout="csv"):
        if not checked:
            checked = True
            if not _has_columns(path, header[0], required, log):
                return
        yield line, row
    if not checked and header:
        _has_columns(path, header[0], required, log)


def _has_columns(path: Path, header: tuple[int, list[str]], required: Sequence[str], log: ProblemLog) -> bool:
    line, columns = header
    missing = [c for c in required if c not in columns]
    if not missing:
        return True
    hint = ""
    if len(columns) == 1 and any(sep in columns[0] for sep in ";\t|"):
        hint = " (the file seems to use another delimiter: these CSV files are comma-separated)"
    log.add(str(path), line, "header", f"missing column(s): {', '.join(missing)}{hint}")
    return False
