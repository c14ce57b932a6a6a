"""Reading JSONL, JSON and CSV files record by record, in constant memory, with the line each record starts on.

Files are read as bytes and decoded piece by piece with `surrogateescape`, so a byte that is not UTF-8 is kept as
a marker character that can be found and reported with its line, instead of aborting the whole read. Problems go
to a `ProblemLog`; the iterators yield `(line, value)` pairs for everything that parsed.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .problems import ProblemLog, describe

DEFAULT_CHUNK = 1 << 16
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_NUL_MARK = "\udc00"  # stands in for a NUL the log has reported, so the csv module never sees one
_WS = " \t\r\n"
_BOM = "\ufeff"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonRefused(ValueError):
    """Text that parses as Python's JSON but is not JSON a record may hold (NaN, lone surrogates, depth)."""


def _no_constants(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number (write a number or null)")


MAX_DIGITS = 1000


def _integer(text: str) -> int:
    """An integer of the file; one too long to be a value (Python refuses past 4,300 digits with a bare
    ValueError) is refused here with a plain message."""
    if len(text) > MAX_DIGITS:
        raise JsonRefused(f"a number of {len(text.lstrip('-'))} digits is too long to be a value")
    return int(text)


_decoder = json.JSONDecoder(parse_constant=_no_constants, parse_int=_integer)
_NUL_ESCAPE = re.compile(r"\\u0000")
NUL_MESSAGE = "holds a NUL character (\\u0000), which no text field may hold; remove it"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def decode_json(text: str, pos: int = 0) -> tuple[Any, int]:
    """Decode one JSON value at `pos` strictly: raises json.JSONDecodeError for syntax, JsonRefused for values
    Python would accept but a record must not hold (NaN, Infinity, a lone surrogate, absurd nesting)."""
    try:
        value, end = _decoder.raw_decode(text, pos)
    except RecursionError:
        raise JsonRefused("nested too deeply to be a record") from None
    if _SURROGATE_ESCAPE.search(text, pos, end) and _has_lone_surrogate(value):
        raise JsonRefused("a \\u escape gives half of a surrogate pair, which is not text")
    if _NUL_ESCAPE.search(text, pos, end) and _has_nul(value):
        # PostgreSQL cannot store it in text, and SQLite would keep a project that one backend cannot open
        raise JsonRefused(NUL_MESSAGE)
    return value, end


class ByteCounter:
    """Wraps a binary file to report progress as `(bytes_done, bytes_total)`, about once per percent."""

    def __init__(self, handle: BinaryIO, total: int, progress: Callable[[int, int], None] | None):
        self.handle = handle
        self.total = total
        self.progress = progress
        self.done = 0
        self._next = 0
        self._step = max(total // 100, 1 << 16)

    def _moved(self, n: int) -> None:
        self.done += n
        if self.progress is not None and self.done >= self._next:
            self._next = self.done + self._step
            self.progress(self.done, self.total)

    def readline(self) -> bytes:
        data = self.handle.readline()
        self._moved(len(data))
        return data

    def read(self, size: int) -> bytes:
        data = self.handle.read(size)
        self._moved(len(data))
        return data

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def sniff(path: Path) -> str:
    """How the file is laid out: 'empty', 'blank', 'csv', 'array' (a JSON list), 'jsonl', or 'sequence'
    (JSON values that span lines, such as one pretty-printed object)."""
    if path.stat().st_size == 0:
        return "empty"
    if path.suffix.lower() in (".csv", ".tsv"):
        return "csv"
    with path.open("rb") as handle:
        for raw in handle:
            text = raw.decode("utf-8", "surrogateescape").lstrip(_BOM).strip()
            if not text:
                continue
            if text.startswith("["):
                return "array"
            try:
                decode_json(text)
            except json.JSONDecodeError as error:
                if text.startswith("{") and error.pos >= len(text):
                    return "sequence"  # the first line opens an object that later lines close
            except JsonRefused:
                pass  # a JSON line all the same; the reader reports what is wrong with it
            return "jsonl"
    return "blank"


_LFS_HEAD = b"version https://git-lfs"


def lfs_pointer(path: Path) -> bool:
    """Whether the file is a Git LFS pointer (the few lines a clone holds in place of a large file when git-lfs
    did not fetch it), which would otherwise be reported as a handful of puzzling syntax errors."""
    with path.open("rb") as handle:
        head = handle.read(len(_LFS_HEAD))
    return head == _LFS_HEAD and path.stat().st_size < 1024


def first_bad_byte(text: str, start: int = 0) -> int | None:
    """Index of the first byte (from `start` on) that was not UTF-8, kept as a surrogate escape; or None.

    Decoding leaves a surrogate only where a byte was bad, and text holding none encodes to UTF-8: that test
    (and before it the flag Python keeps for ASCII text) takes a few microseconds on a 4 KB line, where searching
    the text for the escapes with a regular expression took eighty."""
    rest = text[start:] if start else text
    if rest.isascii():
        return None
    try:
        rest.encode("utf-8")
    except UnicodeEncodeError:
        found = _BAD_BYTE.search(text, start)
        return found.start() if found else None
    return None


def bad_byte_column(text: str) -> int | None:
    """1-based column of the first byte that was not UTF-8, or None."""
    found = first_bad_byte(text)
    return None if found is None else found + 1


def _not_utf8(column: int) -> str:
    return f"holds bytes that are not UTF-8 (first at column {column}); save the file as UTF-8"


def decoded_lines(reader: ByteCounter) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of each line; bad bytes survive as surrogate escapes so that the caller can
    name their line and column, and a byte order mark on the first line is dropped."""
    number = 0
    while True:
        raw = reader.readline()
        if not raw:
            return
        number += 1
        text = raw.decode("utf-8", "surrogateescape")
        yield number, (text.lstrip(_BOM) if number == 1 else text)


def iter_jsonl(reader: ByteCounter, file: str, log: ProblemLog) -> Iterator[tuple[int, Any]]:
    """One JSON value per line; blank lines are skipped; a bad line is reported and the next one read."""
    for number, text in decoded_lines(reader):
        if not text.strip():
            continue
        column = bad_byte_column(text)
        if column is not None:
            log.add(file, number, "", f"line {_not_utf8(column)}")
            continue
        try:
            start = len(text) - len(text.lstrip())
            value, end = decode_json(text, start)
            if text[end:].strip():
                raise json.JSONDecodeError("Extra data", text, end)
        except json.JSONDecodeError as error:
            log.add(file, number, "", f"invalid JSON at column {error.colno}: {error.msg}")
            continue
        except JsonRefused as error:
            log.add(file, number, "", f"invalid JSON: {error}")
            continue
        yield number, value


class _JsonText:
    """A sliding window over the decoded text of a file, knowing the line and column of its first character."""

    def __init__(self, reader: ByteCounter, file: str, log: ProblemLog, chunk_size: int):
        self.reader = reader
        self.file = file
        self.log = log
        self.chunk_size = chunk_size
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.buf = ""
        self.pos = 0
        self.line = 1  # line of buf[pos]
        self.col0 = 0  # 0-based column of buf[0] on its line
        self.eof = False
        self.first = True

    def more(self) -> bool:
        """Read at least one more chunk; False at the end of the file."""
        if self.eof:
            return False
        # forget what is consumed, remembering the column where the kept text starts
        cut = self.pos
        newline = self.buf.rfind("\n", 0, cut)
        self.col0 = cut - newline - 1 if newline >= 0 else self.col0 + cut
        self.buf = self.buf[cut:]
        self.pos = 0
        data = self.reader.read(self.chunk_size)
        self.eof = not data
        text = self.decoder.decode(data, final=self.eof)
        if self.first and text:
            text = text.lstrip(_BOM)
            self.first = False
        start = len(self.buf)
        self.buf += text
        found = first_bad_byte(self.buf, start)
        if found is not None:  # one report per chunk is enough to point at the spot
            line, column = self.where(found)
            self.log.add(self.file, line, "", f"line {_not_utf8(column)}")
        return True

    def grow(self) -> bool:
        """Read until the unread text is at least twice as long (so retrying a parse stays linear)."""
        want = max(2 * (len(self.buf) - self.pos), self.chunk_size)
        grew = False
        while len(self.buf) - self.pos < want and self.more():
            grew = True
        return grew

    def skip_space(self) -> str:
        """Move past whitespace; return the next character, or '' at the end of the file."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                if self.buf[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def where(self, index: int) -> tuple[int, int]:
        """(line, 1-based column) of buf[index]."""
        line = self.line + self.buf.count("\n", self.pos, index)
        newline = self.buf.rfind("\n", 0, index)
        column = index - newline if newline >= 0 else self.col0 + index + 1
        return line, column

    def value(self) -> tuple[bool, Any]:
        """Decode the JSON value at the current position: (True, value), or (False, None) after reporting."""
        while True:
            try:
                value, end = decode_json(self.buf, self.pos)
            except JsonRefused as error:
                line, _column = self.where(self.pos)
                self.log.add(self.file, line, "", f"invalid JSON: {error}")
                return False, None
            except json.JSONDecodeError as error:
                if not self.eof and _maybe_cut(error, self.buf) and self.grow():
                    continue
                line, column = self.where(error.pos)
                self.log.add(self.file, line, "", f"invalid JSON at column {column}: {error.msg}")
                return False, None
            if end >= len(self.buf) and not self.eof and self.grow():
                continue  # a number at the very end may go on in the next chunk
            self.advance(end)
            return True, value


def _maybe_cut(error: json.JSONDecodeError, buf: str) -> bool:
    """Whether a decode error may only mean the value goes on past the text read so far."""
    if len(buf) - error.pos <= 8:
        return True
    return error.msg.startswith("Unterminated string") and "\n" not in buf[error.pos:]


def iter_json(reader: ByteCounter, file: str, log: ProblemLog, chunk_size: int = DEFAULT_CHUNK,
              ) -> Iterator[tuple[int, Any]]:
    """Values of a top-level JSON list, one at a time; or, when the file is not a list, each top-level value.

    After a syntax error the rest of the file cannot be trusted to line up, so reading stops there.
    """
    text = _JsonText(reader, file, log, chunk_size)
    first = text.skip_space()
    if first != "[":
        while text.skip_space():
            line = text.line
            ok, value = text.value()
            if not ok:
                return
            yield line, value
        return
    text.advance(text.pos + 1)
    expect_value = True
    count = 0
    while True:
        char = text.skip_space()
        if char == "":
            log.add(file, text.line, "", "the JSON list is not closed: ']' is missing at the end of the file")
            return
        if char == "]":
            if count and expect_value:
                log.add(file, text.line, "", "invalid JSON: a comma before ']'")
            text.advance(text.pos + 1)
            break
        if not expect_value:
            line, column = text.where(text.pos)
            log.add(file, line, "", f"invalid JSON at column {column}: expected ',' or ']' between records")
            return
        line = text.line
        ok, value = text.value()
        if not ok:
            return
        count += 1
        yield line, value
        char = text.skip_space()
        if char == ",":
            text.advance(text.pos + 1)
            expect_value = True
        else:
            expect_value = False
    if text.skip_space():
        line, column = text.where(text.pos)
        log.add(file, line, "", f"invalid JSON at column {column}: text after the end of the list")


def iter_csv(reader: ByteCounter, file: str, log: ProblemLog, delimiter: str = ",",
             header_out: list[tuple[int, list[str]]] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header, as {column: cell}; a row with the wrong number of cells is reported.
    The header's (line, columns) is appended to `header_out` when one is given."""
    def lines() -> Iterator[str]:
        for number, text in decoded_lines(reader):
            column = bad_byte_column(text)
            if column is not None:
                log.add(file, number, "", f"line {_not_utf8(column)}")
            elif "\x00" in text:
                log.add(file, number, "", f"line {NUL_MESSAGE} (at column {text.index(chr(0)) + 1})")
                text = text.replace("\x00", _NUL_MARK)
            yield text

    _allow_big_cells()
    rows = csv.reader(lines(), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    start = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            log.add(file, start, "", f"bad CSV: {error}")
            start = rows.line_num + 1
            continue
        line, start = start, rows.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        if any(first_bad_byte(cell) is not None or _NUL_MARK in cell for cell in row):
            continue  # reported with its line already
        if header is None:
            header = [cell.strip() for cell in row]
            seen: set[str] = set()
            fine = True
            for name in header:
                if not name:
                    log.add(file, line, "", "the header has an empty column name")
                    fine = False
                elif name in seen:
                    log.add(file, line, name, "column appears twice in the header")
                    fine = False
                seen.add(name)
            if not fine:
                return  # the cells cannot be told apart: reading the rows would only add confusion
            if header_out is not None:
                header_out.append((line, header))
            continue
        if len(row) != len(header):
            log.add(file, line, "", f"row has {len(row)} cells but the header has {len(header)} columns")
            continue
        yield line, dict(zip(header, row, strict=True))
    if header is None:
        log.add(file, 0, "", "the CSV file is empty: it has no header row")


def _allow_big_cells() -> None:
    """Traces and rubrics can be longer than the csv module's default cell limit of 128 KB."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


def not_an_object(value: Any) -> str:
    return f"record is {describe(value)}, not an object"
