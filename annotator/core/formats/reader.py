"""Reading input files into `Record`s: streaming, validating every record, and reporting every problem.

`read_records` yields records as it goes and raises one InputError listing all problems when the iteration
ends, so a consumer writes in one transaction and rolls back on that error: a bad file goes in not at all.
Memory holds only the ids seen so far (to report duplicates), never the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, UsageError
from ..model import Record
from .adapter import Adapter, Context
from .problems import ProblemLog, TooManyProblems
from .registry import FORMATS, format_of_header, format_of_record
from .streaming import DEFAULT_CHUNK, ByteCounter, iter_csv, iter_json, iter_jsonl, lfs_pointer, not_an_object, sniff

_DETECT_LOOKAHEAD = 20
_READ_BUFFER = 1 << 20


def _fields(value: dict[str, Any], limit: int = 12) -> str:
    names = list(value)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") if names else "no fields"


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError(Problem(str(path), 0, "", "file does not exist"))
    if not path.is_file():
        raise InputError(Problem(str(path), 0, "", "is not a file"))


def _check_name(fmt: str) -> None:
    if fmt != "auto" and fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose auto or one of: {', '.join(sorted(FORMATS))}")


def iter_raw(path: Path, log: ProblemLog, progress: Callable[[int, int], None] | None = None,
             chunk_size: int = DEFAULT_CHUNK, header: list[tuple[int, list[str]]] | None = None,
             layout: str | None = None) -> Iterator[tuple[int, Any]]:
    """(line, parsed value) for each record of a JSONL, JSON or CSV file; layout problems go to `log`.
    `layout="csv"` reads the file as CSV whatever its name; by default the name and first line tell."""
    _check_exists(path)
    file = str(path)
    if lfs_pointer(path):
        log.add(file, 1, "", "this is a Git LFS pointer, not the data: run `git lfs pull` in the clone to fetch "
                             "the file it stands for")
        return
    found = sniff(path)
    layout = found if found in ("empty", "blank") or layout is None else layout
    if layout == "empty":
        log.add(file, 0, "", "file is empty")
        return
    if layout == "blank":
        log.add(file, 0, "", "file holds only blank lines")
        return
    # a buffer of many lines: with the default 8 KB, lines of a few KB cost a read call every line or two
    with path.open("rb", buffering=_READ_BUFFER) as handle:
        reader = ByteCounter(handle, path.stat().st_size, progress)
        if layout == "csv":
            rows = iter_csv(reader, file, log, "\t" if path.suffix.lower() == ".tsv" else ",", header)
        elif layout == "jsonl":
            rows = iter_jsonl(reader, file, log)
        else:
            rows = iter_json(reader, file, log, chunk_size)
        yield from rows
        reader.finish()


def detect_format(path: str | Path) -> str:
    """The format of a file, told by the fields of its first records; InputError when none fits."""
    path = Path(path)
    log = ProblemLog()
    header: list[tuple[int, list[str]]] = []
    first: dict[str, Any] | None = None
    values = iter_raw(path, log, header=header)
    try:
        for count, (_, value) in enumerate(values):
            if header:
                break
            if isinstance(value, dict):
                first = value if first is None else first
                found = format_of_record(value)
                if found:
                    return found
            if count >= _DETECT_LOOKAHEAD:
                break
    except TooManyProblems:
        pass
    finally:
        values.close()
    if header:
        found = format_of_header(header[0][1])
        if found:
            return found
        raise InputError(Problem(str(path), header[0][0], "", f"cannot tell the format of {path.name}: its header "
                                 f"has columns {', '.join(header[0][1])}; name one with --format"))
    if first is not None:
        raise InputError(Problem(str(path), 0, "", f"cannot tell the format of {path.name}: its first record has "
                                 f"fields {_fields(first)}; name one with --format"))
    if log:
        raise InputError(log.final(str(path)))
    raise InputError(Problem(str(path), 0, "", "holds no records"))


def read_records(path: str | Path, fmt: str = "auto", progress: Callable[[int, int], None] | None = None,
                 chosen: Callable[[str], None] | None = None, *, chunk_size: int = DEFAULT_CHUNK,
                 track_ids: bool = True) -> Iterator[Record]:
    """Stream the records of one file; raise InputError with every problem once the iteration ends.

    `progress(bytes_done, bytes_total)` is called now and then; `chosen(format_name)` once, before the first
    record. An unknown `fmt` is a UsageError. `track_ids=False` leaves repeated ids to the caller (the store
    finds them in the database, so memory does not grow with the file).
    """
    _check_name(fmt)
    path = Path(path)
    _check_exists(path)
    log = ProblemLog()
    yield from _records(path, fmt, progress, chosen, chunk_size, log, _SeenIds() if track_ids else _NoIds())
    if log:
        raise InputError(log.final(str(path)))


class _SeenIds:
    """Where each id was first seen, packed as one int (file number, line) so memory stays at about one small
    entry per id, the only thing that grows with the input."""

    _LINES = 1 << 40

    def __init__(self) -> None:
        self.files: list[str] = []
        self.ids: dict[str, int] = {}

    def start(self, file: str) -> None:
        self.files.append(file)

    def where(self, item_id: str) -> tuple[str, int] | None:
        packed = self.ids.get(item_id)
        return None if packed is None else (self.files[packed // self._LINES], packed % self._LINES)

    def add(self, item_id: str, line: int) -> None:
        self.ids[item_id] = (len(self.files) - 1) * self._LINES + line


class _NoIds(_SeenIds):
    """Remembers nothing: for callers that find repeated ids themselves."""

    def where(self, item_id: str) -> tuple[str, int] | None:
        return None

    def add(self, item_id: str, line: int) -> None:
        return None


def _records(path: Path, fmt: str, progress: Callable[[int, int], None] | None,
             chosen: Callable[[str], None] | None, chunk_size: int, log: ProblemLog,
             seen: _SeenIds) -> Iterator[Record]:
    """Records of one file; problems into `log`; `seen` knows where ids first appeared (across files)."""
    file = str(path)
    seen.start(file)
    if fmt == "auto":
        if path.stat().st_size == 0 or sniff(path) in ("empty", "blank"):
            fmt = "items"  # nothing to tell apart; the layout problem is reported below
        else:
            fmt = detect_format(path)
    if chosen is not None:
        chosen(fmt)
    adapter = FORMATS[fmt]
    header: list[tuple[int, list[str]]] = []
    count = 0
    try:
        for line, raw in iter_raw(path, log, progress, chunk_size, header):
            ctx = Context(path=path, line=line, log=log, from_csv=bool(header))
            count += 1
            if header and count == 1:
                _check_header(adapter, header[0], ctx)
                if not adapter.reads_csv:
                    return
            if not isinstance(raw, dict):
                ctx.problem("", not_an_object(raw))
                continue
            record = adapter.convert(raw, ctx)
            if record is None:
                continue
            item_id = record.item.id
            earlier = seen.where(item_id)
            if earlier is not None and not record.shared:
                where_file, where_line = earlier
                where = f"line {where_line}" if where_file == file else f"{where_file} line {where_line}"
                given = "id" in raw or fmt != "items"
                ctx.problem("id", f"duplicate id {item_id!r}: {where} has it already" if given else
                            f"repeats the record on {where} (same content, so the same id {item_id!r})")
                continue
            seen.add(item_id, line)
            yield record
        if header and count == 0:  # a header and no readable row: the header still gets checked
            _check_header(adapter, header[0], Context(path=path, line=header[0][0], log=log, from_csv=True))
        if count == 0 and not log:
            log.add(file, 0, "", "holds no records")
    except TooManyProblems:
        return


def _check_header(adapter: Adapter, header: tuple[int, list[str]], ctx: Context) -> None:
    line, columns = header
    if not adapter.reads_csv:
        ctx.log.add(ctx.file, line, "", f"the {adapter.name} format is read from JSON or JSONL, not CSV")
        return
    unknown = [c for c in columns if c not in adapter.csv_columns]
    for column in unknown:
        ctx.log.add(ctx.file, line, column, f"unknown column; the columns are {', '.join(adapter.csv_columns)} "
                                            "(put extra data in the meta column as a JSON object)")


def check_files(paths: Iterable[str | Path], fmt: str = "auto",
                chosen: Callable[[str, str], None] | None = None) -> list[Problem]:
    """Every problem in these files, read as one import would read them (ids must be unique across them);
    nothing is written anywhere. `chosen(file, format)` is called once per file whose format is known."""
    _check_name(fmt)
    problems: list[Problem] = []
    seen = _SeenIds()
    for path in map(Path, paths):
        log = ProblemLog()
        told = None if chosen is None else (lambda name, path=path: chosen(str(path), name))
        try:
            _check_exists(path)
            for _ in _records(path, fmt, None, told, DEFAULT_CHUNK, log, seen):
                pass
        except InputError as error:
            problems.extend(error.problems)
            continue
        problems.extend(log.final(str(path)))
    return problems
