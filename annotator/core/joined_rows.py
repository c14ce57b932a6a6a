"""Writing CSV rows whose cells the database has joined into one text, at the cost of a few string operations
per thousand rows.

Python spends most of a large export turning every cell into a string object and handing it to the csv module.
SQLite can instead join a row's cells itself, with `CELL_SEP` between them; a row none of whose cells needs
quotes or a guard then becomes its CSV line by swapping each separator for a comma, which `str.replace` does
for a whole batch at once. Which rows need more is found without a Python step per row: the database flags
the cells that may start a formula (a cheap test that errs on the side of yes), and commas, quotes and line
breaks are found by searching the batch's text. Those rows alone are split into cells and go through
`SafeCsvWriter`, so every byte written is what the csv module and `neutralise` would write.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, compress
from operator import add, itemgetter
from typing import TextIO

from .csv_cells import LINE_END, SafeCsvWriter

CELL_SEP = "\x1f"
"""What goes between the cells of a joined row (the ASCII unit separator): a character no cell holds in
practice, and whose every appearance is counted, so a cell holding one is noticed."""
FORMULA_TEST_RANGE = ("\t", "A")
"""Every character `neutralise` guards a cell starting with (tab, carriage return, apostrophe, + - = @) lies in
this range of code points, as do few others (digits, space, punctuation): the database's cheap test of a cell
is whether it starts in it."""
_QUOTED = ('"', ",", "\n", "\r")  # characters that put a cell in quotes
_LINE, _FLAG = itemgetter(0), itemgetter(1)


class CellSeparatorInCell(ValueError):
    """A cell of the joined rows holds `CELL_SEP` itself: they cannot be split back into cells."""


def write_joined(writer: SafeCsvWriter, handle: TextIO, rows: list[tuple[str, int]], width: int) -> None:
    """Write a batch of joined rows, each (its `width` cells joined by `CELL_SEP`, whether the database's test
    flagged a cell of it), in order: the rows that need it through `writer`, the rest as their joined text."""
    lines = list(map(_LINE, rows))
    text = LINE_END.join(lines)
    if text.count(CELL_SEP) != (width - 1) * len(lines):
        raise CellSeparatorInCell
    careful = _lines_holding(lines, text)
    careful.update(compress(range(len(rows)), map(_FLAG, rows)))
    if not careful:
        _write_plain(handle, text)
        return
    start = 0
    for first, end in _runs(sorted(careful)):
        if first > start:
            _write_plain(handle, LINE_END.join(lines[start:first]))
        writer.write([line.split(CELL_SEP) for line in lines[first:end]])
        start = end
    if start < len(lines):
        _write_plain(handle, LINE_END.join(lines[start:]))


def _write_plain(handle: TextIO, joined: str) -> None:
    """Joined rows none of whose cells needs quotes or a guard, already apart by LINE_END: their CSV text."""
    handle.write(joined.replace(CELL_SEP, ","))
    handle.write(LINE_END)


def _lines_holding(lines: list[str], text: str) -> set[int]:
    """Which of the lines joined into `text` (by LINE_END) hold a character that puts a cell in quotes.

    Commas and quotes are found where they are and traced to their line by bisection; the lines are looked
    through one by one only when one holds a line break, which the joined text cannot place otherwise."""
    breaks = len(lines) - 1
    if text.count("\n") != breaks or text.count("\r") != breaks:
        return {i for i, line in enumerate(lines) if any(c in line for c in _QUOTED)}
    starts = list(map(add, accumulate(map(len, lines), initial=0),
                      range(0, len(LINE_END) * len(lines) + 1, len(LINE_END))))
    found: set[int] = set()
    for char in ('"', ","):
        at = text.find(char)
        while at >= 0:
            line = bisect_right(starts, at) - 1
            found.add(line)
            at = text.find(char, starts[line + 1])  # the rest of this line needs no look
    return found


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as runs of neighbours, (first, one past the last): a run is written in one call."""
    runs: list[list[int]] = []
    for i in positions:
        if runs and runs[-1][1] == i:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    return [(first, end) for first, end in runs]
