"""Exports: labels as long or wide CSV (DESIGN sections 4 and 10.2), gold labels, and items as canonical JSONL.

Files are written through `atomic_path`, so a failed export never leaves half a file where a good one was.
The long CSV, the one a large project exports, streams: rows go from the database cursor to the csv module a
batch at a time, with no table in between.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (ColumnElement, FromClause, Select, String, and_, case, except_, exists, func, literal,
                        literal_column, or_, select, union_all)

from .csv_cells import LINE_END, SafeCsvWriter, neutralise
from .joined_rows import CELL_SEP, FORMULA_TEST_RANGE, CellSeparatorInCell, write_joined
from .label_columns import LABEL_CSV_COLUMNS
from .output_files import atomic_path
from .store.database import iter_plain
from .store.staging import fewer_collections
from .store.tables import ANNOTATOR, COMPLETION, GOLD, ITEM, LABEL, NOTE, TAXONOMY, UNIT

__all__ = ["atomic_path", "export_items_jsonl", "export_labels_csv", "gold_frame", "long_labels_frame",
           "wide_labels_frame"]

if TYPE_CHECKING:
    import pandas as pd  # the long CSV streams without it; the frames and the wide CSV import it when called

CHUNK = 200_000
TRUE, FALSE = "true", "false"  # the done column's words


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    for col in df.columns:
        # pandas 3 reads text into its own string dtype, not object: check for text either way
        if pd.api.types.is_object_dtype(df[col]) or pd.api.types.is_string_dtype(df[col]):
            # columns repeat few values (taxonomy, annotator, label...): check each distinct value once
            changed = {v: safe for v in df[col].dropna().unique() if (safe := neutralise(v)) != v}
            if changed:
                df[col] = df[col].map(lambda v: changed.get(v, v) if isinstance(v, str) else v)
    return df


def _rows(result) -> list[tuple]:
    """Plain tuples: pandas builds a frame from them several times faster than from SQLAlchemy rows, which it
    probes field by field, and a long export reads millions."""
    return [tuple(row) for row in result.all()]


def _filters(table, taxonomy: str | None, annotator: str | None):
    conds = []
    if taxonomy:
        conds.append(table.c.taxonomy == taxonomy)
    if annotator is not None and "annotator" in table.c:
        conds.append(table.c.annotator == annotator)
    return and_(*conds) if conds else None


def long_labels_frame(project, taxonomy: str | None = None, annotator: str | None = None,
                      done_only: bool = False) -> pd.DataFrame:
    """The long labels table that `export` writes, as a frame, in the file's order."""
    import pandas as pd

    with project.db.read() as conn:
        rows = [row for batch in _long_rows(conn, taxonomy, annotator, done_only) for row in batch]
    return pd.DataFrame(rows, columns=LABEL_CSV_COLUMNS)


def _byte_order(conn) -> str | None:
    """The collation that orders text by code point, as Python's sort did when pandas ordered the export.

    SQLite compares UTF-8 bytes unless told otherwise, which is that order already. PostgreSQL follows the
    database's locale ("alice" before "Zoe", "-1" before "+1") unless asked for its "C" collation."""
    return "C" if conn.dialect.name == "postgresql" else None


_STORE_MADE = ("item_kind", "target", "created_at", "done")
"""Columns whose cells the store writes in a fixed shape that never starts a formula: a kind's name, a parsed
target (`item`, `criterion:...`, `step:...`, `span:...`), an ISO timestamp, and the done column's words.
The writer skips them when it looks for cells to guard; ids, names, labels and notes it checks."""
BATCH = 2_000  # rows a fetch brings: small enough to stay in the processor's cache while they are written

FILE_ORDER = ("taxonomy", "item_id", "annotator", "target", "label")
"""The long CSV's sort key, which the label index `ix_label_file_order` follows (on SQLite)."""
_FILE_KEY = itemgetter(*(LABEL_CSV_COLUMNS.index(name) for name in FILE_ORDER))


def _long_rows(conn, taxonomy: str | None, annotator: str | None, done_only: bool) -> Iterator[list[tuple]]:
    """Every row of the long CSV in its order, in batches of plain tuples (DESIGN 10.2).

    Labels, nearly all of the rows, come in the file's order from their index on SQLite, which then sorts
    none of them; the few other rows (notes on targets without a label, done work with neither) are sorted apart and
    slotted in between, a batch at a time."""
    collation = _byte_order(conn)
    labelled = iter_plain(conn, _labelled_query(taxonomy, annotator, collation, done_only), BATCH)
    others = iter_plain(conn, _unlabelled_query(taxonomy, annotator, collation, done_only, conn.dialect.name), BATCH)
    return merge_batches(labelled, others, _FILE_KEY)


def merge_batches(first: Iterable[list[tuple]], second: Iterable[list[tuple]], key) -> Iterator[list[tuple]]:
    """Two streams of batches, each sorted by `key` and no key in both, as one sorted stream of batches.

    Each row of `second` finds its place in a batch of `first` by bisection, so the rows of `first` (the
    many) are never looked at one by one in Python, as `heapq.merge` would."""
    pending = chain.from_iterable(second)
    waiting = next(pending, None)
    for batch in first:
        if waiting is None or key(waiting) > key(batch[-1]):
            yield batch
            continue
        merged: list[tuple] = []
        start, last = 0, key(batch[-1])
        while waiting is not None and (place := key(waiting)) < last:
            at = bisect_left(batch, place, start, key=key)
            merged += batch[start:at]
            merged.append(waiting)
            start = at
            waiting = next(pending, None)
        merged += batch[start:]
        yield merged
    if waiting is not None:
        yield [waiting]
    while rest := list(islice(pending, BATCH)):
        yield rest


def _same_work(table, other) -> ColumnElement[bool]:
    """Both rows belong to one annotator's work on one item in one taxonomy."""
    return and_(table.c.item_id == other.c.item_id, table.c.taxonomy == other.c.taxonomy,
                table.c.annotator == other.c.annotator)


def _long_columns(*values) -> list:
    """The values named as the long CSV's columns, so every part of the union reads alike."""
    return [value.label(name) for value, name in zip(values, LABEL_CSV_COLUMNS, strict=True)]


def _narrowed(query: Select, table, taxonomy: str | None, annotator: str | None) -> Select:
    where = _filters(table, taxonomy, annotator)
    return query.where(where) if where is not None else query


def _with_completion(joined, table, done_only: bool):
    """`joined` with the completion of `table`'s work, and the done column that says whether there is one:
    its final text, made by the database, so that no cell needs Python's hand on its way to the file."""
    if done_only:
        return joined.join(COMPLETION, _same_work(table, COMPLETION)), literal_column(f"'{TRUE}'")
    flag = case((COMPLETION.c.item_id.is_(None), literal_column(f"'{FALSE}'")), else_=literal_column(f"'{TRUE}'"))
    return joined.outerjoin(COMPLETION, _same_work(table, COMPLETION)), flag


def _in_file_order(columns, collation: str | None) -> list:
    return [column.collate(collation) for column in columns] if collation else list(columns)


def _labelled_query(taxonomy: str | None, annotator: str | None, collation: str | None,
                    done_only: bool, shape=_long_columns) -> Select:
    """Every label with its note, its columns made by `shape` from the long CSV's nine values, in the file's
    order, which the label index `ix_label_file_order` gives SQLite without a sort (PostgreSQL sorts); with
    `done_only`, labels of finished work alone."""
    joined, done = _with_completion(
        LABEL.join(ITEM, ITEM.c.id == LABEL.c.item_id)
        .outerjoin(NOTE, and_(_same_work(NOTE, LABEL), NOTE.c.target == LABEL.c.target)), LABEL, done_only)
    query = select(*shape(LABEL.c.item_id, ITEM.c.kind, LABEL.c.taxonomy, LABEL.c.annotator, LABEL.c.target,
                          LABEL.c.label, func.coalesce(NOTE.c.text, literal_column("''")), LABEL.c.created_at,
                          done)).select_from(joined)
    order = _in_file_order((LABEL.c[name] for name in FILE_ORDER), collation)
    return _narrowed(query, LABEL, taxonomy, annotator).order_by(*order)


def _unlabelled_query(taxonomy: str | None, annotator: str | None, collation: str | None, done_only: bool,
                      dialect: str, shape=_long_columns, columns: Sequence[str] = LABEL_CSV_COLUMNS) -> Select:
    """The long CSV's rows that hold no label, in the file's order: the `columns` of those `shape` makes, which
    must include the file's order."""
    rows = union_all(*_unlabelled_selects(taxonomy, annotator, done_only, dialect, shape)).subquery("long_rows")
    return (select(*(rows.c[name] for name in columns))
            .order_by(*_in_file_order((rows.c[name] for name in FILE_ORDER), collation)))


def _unlabelled_selects(taxonomy: str | None, annotator: str | None, done_only: bool, dialect: str,
                        shape=_long_columns) -> tuple[Select, Select]:
    """The rows that hold no label, unordered, their columns made by `shape`: notes on targets without a
    label, and done work with neither a label nor a note, written as one row with an empty label on the item.

    "Which has no label" is asked with NOT EXISTS on SQLite, which probes the label index per note or done
    work and reads no label it does not need. On PostgreSQL it is asked with EXCEPT: PostgreSQL plans NOT
    EXISTS as a nested loop of index probes when a freshly loaded table has no statistics yet, and may then
    probe the label index on (taxonomy, annotator), reading every label of that annotator per done item: 50 s
    instead of a quarter of a second for 200,000 labels. A set difference is hashed or sorted whatever the
    estimates."""
    empty = literal_column("''")

    def lacking(table, keys: tuple[str, ...], *others) -> FromClause:
        """The `keys` of `table`'s rows that no row of `others` shares."""
        own = _narrowed(select(*(table.c[k] for k in keys)), table, taxonomy, annotator)
        if dialect == "postgresql":
            return except_(own, *(_narrowed(select(*(o.c[k] for k in keys)), o, taxonomy, annotator)
                                  for o in others)).subquery()
        if table is COMPLETION:
            # A range holding every id (ids are text, and no text is below '') makes SQLite walk the done work
            # in the order of its key, item first, instead of by annotator: its probes into the label index,
            # ordered by taxonomy then item, then fall close together (half the time at 40,000 done items).
            own = own.where(COMPLETION.c.item_id >= "")
        return own.where(*(~exists().where(*(o.c[k] == table.c[k] for k in keys)) for o in others)).subquery()

    work = ("item_id", "taxonomy", "annotator")
    unlabelled = lacking(NOTE, (*work, "target"), LABEL)
    notes_joined, note_done = _with_completion(
        unlabelled.join(NOTE, and_(_same_work(NOTE, unlabelled), NOTE.c.target == unlabelled.c.target))
        .join(ITEM, ITEM.c.id == NOTE.c.item_id), NOTE, done_only)
    lone_notes = (
        select(*shape(NOTE.c.item_id, ITEM.c.kind, NOTE.c.taxonomy, NOTE.c.annotator, NOTE.c.target, empty,
                      NOTE.c.text, empty, note_done))
        .select_from(notes_joined))
    idle = lacking(COMPLETION, work, LABEL, NOTE)
    bare = (
        select(*shape(idle.c.item_id, ITEM.c.kind, idle.c.taxonomy, idle.c.annotator, literal_column("'item'"),
                      empty, empty, empty, literal_column(f"'{TRUE}'")))
        .select_from(idle.join(ITEM, ITEM.c.id == idle.c.item_id)))
    return lone_notes, bare


def export_labels_csv(project, out: str | Path, wide: bool = False, gold: bool = False,
                      taxonomy: str | None = None, annotator: str | None = None, done_only: bool = False) -> int:
    """Write the labels CSV, every cell safe to open in a spreadsheet; returns the number of data rows.

    All work is written, finished or not, unless `done_only` (DESIGN 10.2)."""
    if not gold and not wide:
        return _write_long_csv(project, out, taxonomy, annotator, done_only)
    frame = gold_frame(project, taxonomy) if gold else wide_labels_frame(project, taxonomy, annotator, done_only)
    with atomic_path(out, ".csv") as tmp:
        _safe(frame).rename(columns=neutralise).to_csv(tmp, index=False, chunksize=CHUNK,
                                                           lineterminator=LINE_END)
    return len(frame)


def _write_long_csv(project, out: str | Path, taxonomy: str | None, annotator: str | None, done_only: bool) -> int:
    with project.db.read() as conn, atomic_path(out, ".csv") as tmp, \
            tmp.open("w", encoding="utf-8", newline="") as handle, fewer_collections():
        if conn.dialect.name == "sqlite":
            try:
                return _write_joined_rows(conn, handle, taxonomy, annotator, done_only)
            except CellSeparatorInCell:  # a cell holds the separator: start again, a cell at a time
                handle.seek(0)
                handle.truncate()
        writer = _writer(handle)
        count = 0
        for batch in _long_rows(conn, taxonomy, annotator, done_only):
            writer.write(batch)
            count += len(batch)
    return count


def _writer(handle) -> SafeCsvWriter:
    """A writer for the long CSV, its header written."""
    writer = SafeCsvWriter(handle, plain_columns=[LABEL_CSV_COLUMNS.index(name) for name in _STORE_MADE])
    writer.write([LABEL_CSV_COLUMNS])
    return writer


def _write_joined_rows(conn, handle, taxonomy: str | None, annotator: str | None, done_only: bool) -> int:
    """The long CSV from rows SQLite joins into text itself, in the file's order.

    Turning nine cells a row into Python strings, then back into CSV text, was most of a large export's time.
    Here SQLite joins each row's cells with `CELL_SEP`; batches of such lines are merged with the few rows
    without a label as `_long_rows` merges cells, and go to the file as they are, commas for separators,
    wherever no cell needs quotes or a guard (`joined_rows.write_joined`)."""
    writer = _writer(handle)
    shape = _JoinedRow(_cells_to_test(conn))
    labelled = iter_plain(conn, _labelled_query(taxonomy, annotator, None, done_only, shape), BATCH)
    unlabelled = iter_plain(conn, _unlabelled_query(taxonomy, annotator, None, done_only, "sqlite", shape.keyed,
                                                    _JoinedRow.COLUMNS), BATCH)
    count = 0
    for batch in merge_batches(labelled, unlabelled, _joined_key):
        write_joined(writer, handle, batch, len(LABEL_CSV_COLUMNS))
        count += len(batch)
    return count


def _cells_to_test(conn) -> list[str]:
    """The columns whose cells the database tests for a formula's start: those a person or a file wrote, but
    the taxonomy and annotator columns only when a taxonomy or an annotator of the project has a name that
    needs a guard (each row's are keys into those two small tables)."""
    named = {"taxonomy": select(TAXONOMY.c.id), "annotator": select(ANNOTATOR.c.name)}
    return [name for name in LABEL_CSV_COLUMNS if name not in _STORE_MADE and (
        name not in named or any(neutralise(v) != v for v in conn.execute(named[name]).scalars()))]


class _JoinedRow:
    """The select list of a joined row, a `shape` for the long CSV's queries."""

    COLUMNS = ("line", "careful")

    def __init__(self, tested: list[str]):
        self._tested = [LABEL_CSV_COLUMNS.index(name) for name in tested]

    def __call__(self, *values) -> list:
        """The nine values as one text, cells apart by `CELL_SEP`, and whether a tested cell may start a
        formula (the database's cheap test, `FORMULA_TEST_RANGE`). Every value is text and none is NULL (the
        tables say NOT NULL; notes are coalesced)."""
        sep = literal(CELL_SEP, String)
        line = values[0]
        for value in values[1:]:
            line = line.concat(sep).concat(value)
        low, high = FORMULA_TEST_RANGE
        careful = or_(*(and_(values[i] >= low, values[i] < high) for i in self._tested))
        return [line.label(self.COLUMNS[0]), careful.label(self.COLUMNS[1])]

    def keyed(self, *values) -> list:
        """The joined row and the columns of the file's order, to sort by."""
        return [*self(*values), *(values[LABEL_CSV_COLUMNS.index(name)].label(name) for name in FILE_ORDER)]


_KEY_SPLITS = max(LABEL_CSV_COLUMNS.index(name) for name in FILE_ORDER) + 1


def _joined_key(row: tuple[str, int]):
    """A joined row's place in the file's order, from its cells (asked only at batch ends and where a row
    without a label is slotted in)."""
    return _FILE_KEY(row[0].split(CELL_SEP, _KEY_SPLITS))


WIDE_BASE = ["item_id", "item_kind", "taxonomy", "annotator", "target", "done"]


def wide_labels_frame(project, taxonomy: str | None = None, annotator: str | None = None,
                      done_only: bool = False) -> pd.DataFrame:
    """One row per (item, target, annotator) of the work in the project, every unit included, a 0/1 column per
    label, and the done column; with `done_only`, finished work alone.

    A label column is named `taxonomy:label` where two taxonomies share a label id, or where the id is the
    name of one of the first columns (a label called `done` or `target`)."""
    import pandas as pd

    taxes = [project.taxonomies.get(taxonomy)] if taxonomy else project.taxonomies.list()
    counts: dict[str, int] = {}
    for tax in taxes:
        for lab in tax.label_ids:
            counts[lab] = counts.get(lab, 0) + 1
    frames = []
    columns: list[str] = []
    with project.db.read() as conn:
        for tax in taxes:
            names = {lab: (f"{tax.id}:{lab}" if counts[lab] > 1 or lab in WIDE_BASE else lab)
                     for lab in tax.label_ids}
            columns.extend(n for n in names.values() if n not in columns)
            work = _wide_work_query(tax.id, annotator, done_only).subquery("work")
            done = pd.DataFrame(_rows(conn.execute(
                select(work.c.item_id, ITEM.c.kind, work.c.annotator,
                       case((COMPLETION.c.item_id.is_(None), FALSE), else_=TRUE))
                .select_from(work.join(ITEM, ITEM.c.id == work.c.item_id)
                             .outerjoin(COMPLETION, and_(_same_work(work, COMPLETION))))
            )), columns=["item_id", "item_kind", "annotator", "done"])
            kinds = {lab.target for lab in tax.labels}
            unit_rows = pd.DataFrame(_rows(conn.execute(
                select(UNIT.c.item_id, UNIT.c.target).where(UNIT.c.kind.in_(kinds))
                .where(UNIT.c.item_id.in_(select(work.c.item_id))))),
                columns=["item_id", "target"])
            if "item" in kinds:
                unit_rows = pd.concat([pd.DataFrame({"item_id": done["item_id"].unique(), "target": "item"}),
                                       unit_rows], ignore_index=True)
            grid = done.merge(unit_rows, on="item_id")
            labels = pd.DataFrame(_rows(conn.execute(
                select(LABEL.c.item_id, LABEL.c.annotator, LABEL.c.target, LABEL.c.label)
                .where(_filters(LABEL, tax.id, annotator)))), columns=["item_id", "annotator", "target", "label"])
            labels = _spans_on_units(project, tax, labels)
            labels["column"] = labels["label"].map(names)
            labels["value"] = 1
            pivot = labels.pivot_table(index=["item_id", "annotator", "target"], columns="column", values="value",
                                       aggfunc="max", fill_value=0)
            grid = grid.merge(pivot.reset_index(), on=["item_id", "annotator", "target"], how="left")
            grid.insert(1, "taxonomy", tax.id)
            for name in names.values():
                grid[name] = grid[name].fillna(0).astype(int) if name in grid else 0
            frames.append(grid)
    if not frames:
        return pd.DataFrame(columns=WIDE_BASE + columns)
    out = pd.concat(frames, ignore_index=True)
    for name in columns:
        # 0/1 where the label belongs to the row's taxonomy, empty where it does not (not 0.0 and 1.0)
        out[name] = out[name].astype("Int64") if name in out else pd.Series(pd.NA, index=out.index, dtype="Int64")
    out = out[WIDE_BASE + columns].sort_values(["taxonomy", "item_id", "annotator", "target"], kind="stable")
    return out.reset_index(drop=True)


def _wide_work_query(taxonomy: str, annotator: str | None, done_only: bool):
    """(item_id, taxonomy, annotator) of every piece of work in one taxonomy: done, or holding a label or a
    note; with `done_only`, done alone."""
    def of(table) -> Select:
        return select(table.c.item_id, table.c.taxonomy, table.c.annotator).where(
            _filters(table, taxonomy, annotator))

    return of(COMPLETION) if done_only else of(COMPLETION).union(of(LABEL), of(NOTE))


def _spans_on_units(project, tax, labels: pd.DataFrame) -> pd.DataFrame:
    """Span labels counted on the units they lie in (DESIGN section 3), as the statistics count them."""
    import pandas as pd

    from .stats.data import map_span_to_units
    from .targets import parse_target

    is_span = labels["target"].str.startswith("span:")
    mapped, steps = [], {}
    for row in labels[is_span].itertuples(index=False):
        if row.item_id not in steps:
            steps[row.item_id] = [(s.id, s.text) for s in project.items.get(row.item_id).steps]
        span = parse_target(row.target)
        for unit in map_span_to_units(steps[row.item_id], span.ref, span.start, span.end, tax.label(row.label).target):
            mapped.append((row.item_id, row.annotator, unit, row.label))
    return pd.concat([labels[~is_span], pd.DataFrame(mapped, columns=list(labels.columns))], ignore_index=True)


def gold_frame(project, taxonomy: str | None = None) -> pd.DataFrame:
    """Adjudicated labels in the long CSV's columns, with `gold` as the annotator."""
    import pandas as pd

    q = select(GOLD.c.item_id, ITEM.c.kind, GOLD.c.taxonomy, GOLD.c.target, GOLD.c.labels, GOLD.c.decided_at) \
        .join(ITEM, ITEM.c.id == GOLD.c.item_id)
    if taxonomy:
        q = q.where(GOLD.c.taxonomy == taxonomy)
    rows = []
    with project.db.read() as conn:
        for item_id, kind, tax, target, labels, decided in conn.execute(q):
            for lab in json.loads(labels) or [""]:
                rows.append((item_id, kind, tax, "gold", target, lab, "", decided, TRUE))
    out = pd.DataFrame(rows, columns=LABEL_CSV_COLUMNS)
    return out.sort_values(["taxonomy", "item_id", "target", "label"], kind="stable").reset_index(drop=True)


def export_items_jsonl(project, out: str | Path) -> int:
    """Every item in the canonical JSONL of DESIGN section 4; images are written to `<name>_images/` beside it,
    so the file imports back to the same items."""
    out = Path(out)
    image_dir_name = f"{out.stem}_images"
    count = 0
    written: dict[str, str] = {}  # image file name -> sha256 of its bytes, so one name never holds two pictures
    with atomic_path(out, ".jsonl") as tmp, tmp.open("w", encoding="utf-8") as handle:
        for item, image in project.items.iter_with_images():
            record = item.model_dump(mode="json", exclude_defaults=True)
            record["kind"] = item.kind
            if item.image and image is not None:
                image_dir = out.parent / image_dir_name
                image_dir.mkdir(parents=True, exist_ok=True)
                # keep the image's own name, so importing the file back gives the very same item
                name, digest = _safe_name(Path(item.image).name), hashlib.sha256(image).hexdigest()
                if written.get(name, digest) != digest:
                    name = f"{_safe_name(item.id)}-{name}"
                if name not in written:
                    (image_dir / name).write_bytes(image)
                    written[name] = digest
                record["image"] = f"{image_dir_name}/{name}"
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:120] or "item"
