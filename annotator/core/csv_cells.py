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
import io
import re
from typing import Sequence, TextIO

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


_RISKY_CELL = re.compile('[,\n]"?[' + re.escape("".join(RISKY_START)) + "]")
"""Where a cell of CSV text could start with a character `neutralise` acts on: after a comma or a line end,
behind an opening quote or not. It also matches inside quoted cells, which only costs a recheck. (Written
without `^` and MULTILINE, which made the search twice as slow.)"""
_CELL_END = re.compile("[,\r]")
_MEMORY = 100_000  # distinct cells a writer remembers the guarded form of (labels and names repeat; notes not)


class SafeCsvWriter:
    """Writes rows to a text file as CSV, every cell neutralised, at the speed of the csv module alone.

    Cells that need a guard are rare, and checking every cell of a million rows in Python would cost more
    than writing them. So each batch is first written by the csv module as it is, and a regular expression
    over the text finds the cells that start with a character a guard is about. Those are looked at one
    distinct value at a time; numbers such as the `+1` and `-1` of step ratings need none, and the text
    stands. Only a batch with a cell that does need one is written again with its cells neutralised."""

    def __init__(self, handle: TextIO):
        self._handle = handle
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator=LINE_END)
        self._guarded: dict[str, object] = {}

    def write(self, rows: list[Sequence[object]]) -> None:
        text = self._text(rows)
        if self._needs_guards(text):
            text = self._text([tuple(map(self._cell, row)) for row in rows])
        self._handle.write(text)

    def _text(self, rows: list[Sequence[object]]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerows(rows)
        return self._buffer.getvalue()

    def _needs_guards(self, text: str) -> bool:
        text = "\n" + text  # so that the first cell, too, starts after a line end
        for match in _RISKY_CELL.finditer(text):
            start = match.end() - 1
            if text[start - 1] == '"':
                return True  # a quoted cell: its end is not the next comma, so let the careful path decide
            end = _CELL_END.search(text, start)
            cell = text[start:end.start() if end else len(text)]
            if self._cell(cell) != cell:
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
