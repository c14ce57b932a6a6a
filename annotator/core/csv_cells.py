"""CSV cells that are safe to open in a spreadsheet, and read back exactly as they were.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by spreadsheet
programs; export writes such a cell behind one apostrophe (numbers like `-1` and `+1` stay as they are, since
they are data, not formulas) and import takes that apostrophe away again.

For the round trip to be exact, import must be able to tell an apostrophe export added from one the user
typed: a note `'=1+1` must come back as `'=1+1`, not `=1+1`. So the guard goes on every cell whose text,
after any apostrophes it already starts with, would start a formula: `'=1+1` is written `''=1+1`, and import
takes exactly one apostrophe off every cell of that shape. Cells of any other shape (`'hello`, `'-1`) are
written and read unchanged. `neutralise` and `restore` are inverses on every string.
"""

from __future__ import annotations

import csv
import re
from itertools import zip_longest
from typing import Collection, Sequence, TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
GUARD = "'"
LINE_END = "\r\n"
"""CSV files end lines as RFC 4180 says. With a bare `\n` the csv module (and pandas) leave a cell holding a
lone carriage return unquoted, and a reader then splits the row there."""
RISKY_START = _FORMULA_START + (GUARD,)
"""First characters of every cell `neutralise` may change: a cell starting otherwise is written as it is."""


def needs_guard(text: str) -> bool:
    """Whether export writes `text` behind an apostrophe: it starts a formula once leading apostrophes go."""
    bare = text.lstrip(GUARD)
    return bare.startswith(_FORMULA_START) and not _NUMBER.match(bare)


def neutralise(value: object) -> object:
    """The cell as export writes it; anything that is not text is left alone."""
    if isinstance(value, str) and value.startswith(RISKY_START) and needs_guard(value):
        return GUARD + value
    return value


def restore(value: str) -> str:
    """The text a cell written by `neutralise` held."""
    if value.startswith(GUARD) and needs_guard(value[1:]):
        return value[1:]
    return value


_MEMORY = 100_000  # distinct cells a writer remembers the guarded form of (labels and names repeat; notes not)


class SafeCsvWriter:
    """Writes rows to a text file as CSV, every cell neutralised, at the speed of the csv module alone.

    Cells that need a guard are rare, and calling `neutralise` on every cell of a million rows would cost
    more than writing them. So a batch is looked at a column at a time: the column's distinct values (a
    column repeats a few item ids, names and labels) are gathered by `set` without a Python step per row,
    and only those starting with a character a guard is about are checked, each once. Numbers such as the
    `+1` and `-1` of step ratings need none. A batch with no cell to change goes to the csv module as it
    came; only a batch with one is rebuilt with its cells neutralised."""

    def __init__(self, handle: TextIO, plain_columns: Collection[int] = ()):
        """`plain_columns`: positions of columns whose every cell the caller made itself in a shape that never
        starts a formula (a timestamp, a literal word), so they need no look. (A batch rebuilt for another
        cell has theirs neutralised too.)"""
        self._writer = csv.writer(handle, lineterminator=LINE_END)
        self._plain = frozenset(plain_columns)
        self._guarded: dict[object, object] = {}

    def write(self, rows: list[Sequence[object]]) -> None:
        if self._needs_guards(rows):
            rows = [tuple(map(self._cell, row)) for row in rows]
        self._writer.writerows(rows)

    def _needs_guards(self, rows: list[Sequence[object]]) -> bool:
        for position, column in enumerate(zip_longest(*rows)):
            if position in self._plain:
                continue
            for value in set(column):
                if isinstance(value, str) and value.startswith(RISKY_START) and self._cell(value) != value:
                    return True
        return False

    def _cell(self, value: object) -> object:
        if not isinstance(value, str) or not value.startswith(RISKY_START):
            return value
        if value not in self._guarded:
            if len(self._guarded) >= _MEMORY:
                self._guarded.clear()
            self._guarded[value] = neutralise(value)
        return self._guarded[value]
