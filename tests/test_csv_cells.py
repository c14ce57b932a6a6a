"""Formula guards that a spreadsheet respects and that import undoes exactly (DESIGN section 9, issue: a note
`'=1+1` came back as `=1+1`).

The table of cells is every string of up to four characters over an alphabet of the characters that matter
(the guard itself, each formula start, digits and the parts of a number, a letter, a space, the CSV
delimiter, quote and line breaks), so every way a guard, a formula start and a number can combine at the
start of a cell is tried, and then the same strings inside longer text.
"""

from __future__ import annotations

import csv
import io
import itertools
import re

import pytest

from annotator.core.csv_cells import SafeCsvWriter, needs_guard, neutralise, restore

ALPHABET = "'=+-@\t\r1.ea ,\"\n"
SHORT = ["".join(chars) for n in range(5) for chars in itertools.product(ALPHABET, repeat=n)
         if n < 4 or chars[0] in "'=+-@"]
CELLS = SHORT + [s + " then some ordinary words" for s in SHORT[:4000]] + [
    "'=1+1", "''=1+1", "'''@SUM(A1)", "'-1", "'+1", "-1", "+1.5e3", "-.5", "+", "-", "'", "''", "=", "@",
    "'hello", "\t=1", "'\t=1", "\r\n=1", "=HYPERLINK(\"http://x.example\",\"click\")", "-2+3 is not a number",
    "", " =1", "1=1", "plain", "naïve = ü", "\u202e=1", "=\u0000"]
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _opens_as_formula(cell: str) -> bool:
    """What a spreadsheet does with the cell: a formula start that is not a plain number."""
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not NUMBER.match(cell)


def test_the_table_is_broad():
    assert len(CELLS) > 20_000
    assert len({c for c in CELLS if needs_guard(c)}) > 5_000


@pytest.mark.parametrize("chunk", range(4))
def test_restore_undoes_neutralise_for_every_cell(chunk):
    for cell in CELLS[chunk::4]:
        written = neutralise(cell)
        assert not _opens_as_formula(written), repr(cell)
        assert restore(written) == cell, repr(cell)


def test_the_guard_is_added_only_where_a_cell_would_run_or_be_misread():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("'=1+1") == "''=1+1"  # the user's own apostrophe is kept behind the guard
    assert neutralise("'hello") == "'hello"  # nothing import would take away: written as it is
    assert neutralise("'-1") == "'-1"
    assert [neutralise(n) for n in ("-1", "+1", "0", "-0.5", "+1e3")] == ["-1", "+1", "0", "-0.5", "+1e3"]
    assert neutralise(3) == 3 and neutralise(None) is None


def test_a_note_typed_with_an_apostrophe_comes_back_as_typed():
    for typed in ("'=1+1", "''=1+1", "'@x", "'+cmd"):
        assert restore(neutralise(typed)) == typed
        assert restore(typed) == typed[1:]  # as a file's cell, the first apostrophe is a guard


def _written(rows: list[tuple], batch: int) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    for start in range(0, len(rows), batch):
        writer.write(rows[start:start + batch])
    return out.getvalue()


def test_the_writer_guards_every_cell_and_reads_back_exactly():
    rows = [(cell, "plain", cell[::-1], 7, None) for cell in CELLS[:20_000]]
    for batch in (1, 333, 10_000):
        text = _written(rows, batch)
        back = list(csv.reader(io.StringIO(text, newline="")))
        assert not [cell for row in back for cell in row if _opens_as_formula(cell)]
        assert [tuple(restore(c) for c in row[:3]) for row in back] == [row[:3] for row in rows]
        assert {(row[3], row[4]) for row in back} == {("7", "")}


def test_a_lone_carriage_return_stays_inside_its_cell():
    """Old Mac text in a note: with `\n` line ends the csv module leaves `a\rb` unquoted and a reader splits
    the row there."""
    back = list(csv.reader(io.StringIO(_written([("a\rb", "\r", "c\nd", "e\r\nf")], 1), newline="")))
    assert back == [["a\rb", "'\r", "c\nd", "e\r\nf"]]


def test_a_batch_without_risky_cells_is_written_as_the_csv_module_writes_it():
    rows = [("r1", "rubric", "a, \"quoted\" note\non two lines", "2026-01-01"), ("r2", "trace", "", "")] * 3
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(rows)
    assert _written(rows, 2) == expected.getvalue()


def test_step_ratings_are_numbers_and_the_text_stands():
    """`+1` and `-1` start like formulas but are data: the batch is written once, by the csv module alone."""
    rows = [("t1", "trace", "step_rating", "ann", f"step:s{n}", ("+1", "-1", "0")[n % 3], "", "", "true")
            for n in range(300)]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(rows)
    assert _written(rows, 100) == expected.getvalue()
