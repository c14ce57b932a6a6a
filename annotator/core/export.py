"""Exports: labels as long or wide CSV (DESIGN section 4), gold labels, and items as canonical JSONL.

Files are written to a temporary name and moved into place, so a failed export never leaves half a file
where a good one was.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, except_, func, literal_column, select, union_all

from .csv_cells import neutralise
from .labels_csv import LABEL_CSV_COLUMNS
from .store.database import fetch_plain
from .store.tables import COMPLETION, GOLD, ITEM, LABEL, NOTE, UNIT

CHUNK = 200_000


@contextmanager
def atomic_path(out: str | Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside `out` that replaces `out` only when the block finishes without error."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=suffix or ".tmp", dir=out.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _safe(df: pd.DataFrame) -> pd.DataFrame:
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


def long_labels_frame(project, taxonomy: str | None = None, annotator: str | None = None) -> pd.DataFrame:
    """The long labels table of the done items (what `export` writes), sorted for stable output.

    The database joins and orders the rows in one query (`_long_rows_query`): building the table from three
    queries and pandas merges took most of a large export's time."""
    with project.db.read() as conn:
        rows = fetch_plain(conn, _long_rows_query(taxonomy, annotator, _byte_order(conn)))
    return pd.DataFrame(rows, columns=LABEL_CSV_COLUMNS)


def _byte_order(conn) -> str | None:
    """The collation that orders text by code point, as Python's sort did when pandas ordered the export.

    SQLite compares UTF-8 bytes unless told otherwise, which is that order already. PostgreSQL follows the
    database's locale ("alice" before "Zoe", "-1" before "+1") unless asked for its "C" collation."""
    return "C" if conn.dialect.name == "postgresql" else None


def _same_work(table, other) -> ColumnElement[bool]:
    """Both rows belong to one annotator's work on one item in one taxonomy."""
    return and_(table.c.item_id == other.c.item_id, table.c.taxonomy == other.c.taxonomy,
                table.c.annotator == other.c.annotator)


def _long_columns(*values) -> list:
    """The values named as the long CSV's columns, so every part of the union reads alike."""
    return [value.label(name) for value, name in zip(values, LABEL_CSV_COLUMNS, strict=True)]


def _long_rows_query(taxonomy: str | None, annotator: str | None, collation: str | None) -> Select:
    """Every row of the long CSV, in its order: labels with their notes, notes on targets with no label, and
    done items with neither, each with an empty label; only (item, taxonomy, annotator) that are done.

    "Which work has no label" is asked with EXCEPT rather than NOT EXISTS. PostgreSQL plans NOT EXISTS as a
    nested loop of index probes when a freshly loaded table has no statistics yet, and then may probe the
    label index on (taxonomy, annotator), reading every label of that annotator per done item: 50 s instead
    of a quarter of a second for 200,000 labels. A set difference is hashed or sorted whatever the estimates."""
    empty = literal_column("''")

    def narrowed(query: Select, table) -> Select:
        where = _filters(table, taxonomy, annotator)
        return query.where(where) if where is not None else query

    def work(table) -> list:
        return [table.c.item_id, table.c.taxonomy, table.c.annotator]

    labelled = narrowed(
        select(*_long_columns(LABEL.c.item_id, ITEM.c.kind, LABEL.c.taxonomy, LABEL.c.annotator, LABEL.c.target,
                              LABEL.c.label, func.coalesce(NOTE.c.text, empty), LABEL.c.created_at))
        .select_from(LABEL.join(COMPLETION, _same_work(LABEL, COMPLETION))
                     .join(ITEM, ITEM.c.id == LABEL.c.item_id)
                     .outerjoin(NOTE, and_(_same_work(NOTE, LABEL), NOTE.c.target == LABEL.c.target))),
        LABEL)
    unlabelled = except_(  # notes of done work on targets without a label
        narrowed(select(*work(NOTE), NOTE.c.target).select_from(NOTE.join(COMPLETION, _same_work(NOTE, COMPLETION))),
                 NOTE),
        narrowed(select(*work(LABEL), LABEL.c.target), LABEL)).subquery("unlabelled")
    lone_notes = (
        select(*_long_columns(NOTE.c.item_id, ITEM.c.kind, NOTE.c.taxonomy, NOTE.c.annotator, NOTE.c.target, empty,
                              NOTE.c.text, empty))
        .select_from(unlabelled.join(NOTE, and_(_same_work(NOTE, unlabelled), NOTE.c.target == unlabelled.c.target))
                     .join(ITEM, ITEM.c.id == NOTE.c.item_id)))
    idle = except_(  # done work with neither a label nor a note
        narrowed(select(*work(COMPLETION)), COMPLETION), narrowed(select(*work(LABEL)), LABEL),
        narrowed(select(*work(NOTE)), NOTE)).subquery("idle")
    bare = (
        select(*_long_columns(idle.c.item_id, ITEM.c.kind, idle.c.taxonomy, idle.c.annotator,
                              literal_column("'item'"), empty, empty, empty))
        .select_from(idle.join(ITEM, ITEM.c.id == idle.c.item_id)))
    rows = union_all(labelled, lone_notes, bare).subquery("long_rows")
    order = [rows.c[name] for name in ("taxonomy", "item_id", "annotator", "target", "label")]
    if collation:
        order = [column.collate(collation) for column in order]
    return select(*(rows.c[name] for name in LABEL_CSV_COLUMNS)).order_by(*order)


def export_labels_csv(project, out: str | Path, wide: bool = False, gold: bool = False,
                      taxonomy: str | None = None, annotator: str | None = None) -> int:
    """Write the labels CSV; returns the number of data rows."""
    if gold:
        frame = gold_frame(project, taxonomy)
    elif wide:
        frame = wide_labels_frame(project, taxonomy, annotator)
    else:
        frame = long_labels_frame(project, taxonomy, annotator)
    with atomic_path(out, ".csv") as tmp:
        _safe(frame).to_csv(tmp, index=False, chunksize=CHUNK)
    return len(frame)


def wide_labels_frame(project, taxonomy: str | None = None, annotator: str | None = None) -> pd.DataFrame:
    """One row per (item, target, annotator) of the done items, every unit included, a 0/1 column per label.

    With several taxonomies a label column is named `taxonomy:label` where two taxonomies share a label id."""
    taxes = [project.taxonomies.get(taxonomy)] if taxonomy else project.taxonomies.list()
    counts: dict[str, int] = {}
    for tax in taxes:
        for lab in tax.label_ids:
            counts[lab] = counts.get(lab, 0) + 1
    frames = []
    columns: list[str] = []
    with project.db.read() as conn:
        for tax in taxes:
            names = {lab: (f"{tax.id}:{lab}" if counts[lab] > 1 else lab) for lab in tax.label_ids}
            columns.extend(n for n in names.values() if n not in columns)
            where = _filters(COMPLETION, tax.id, annotator)
            done = pd.DataFrame(_rows(conn.execute(
                select(COMPLETION.c.item_id, ITEM.c.kind, COMPLETION.c.annotator)
                .join(ITEM, ITEM.c.id == COMPLETION.c.item_id).where(where))),
                columns=["item_id", "item_kind", "annotator"])
            kinds = {lab.target for lab in tax.labels}
            unit_rows = pd.DataFrame(_rows(conn.execute(
                select(UNIT.c.item_id, UNIT.c.target).where(UNIT.c.kind.in_(kinds))
                .where(UNIT.c.item_id.in_(select(COMPLETION.c.item_id).where(where))))),
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
    base = ["item_id", "item_kind", "taxonomy", "annotator", "target"]
    if not frames:
        return pd.DataFrame(columns=base + columns)
    out = pd.concat(frames, ignore_index=True)
    for name in columns:
        # 0/1 where the label belongs to the row's taxonomy, empty where it does not (not 0.0 and 1.0)
        out[name] = out[name].astype("Int64") if name in out else pd.Series(pd.NA, index=out.index, dtype="Int64")
    out = out[base + columns].sort_values(["taxonomy", "item_id", "annotator", "target"], kind="stable")
    return out.reset_index(drop=True)


def _spans_on_units(project, tax, labels: pd.DataFrame) -> pd.DataFrame:
    """Span labels counted on the units they lie in (DESIGN section 3), as the statistics count them."""
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
    q = select(GOLD.c.item_id, ITEM.c.kind, GOLD.c.taxonomy, GOLD.c.target, GOLD.c.labels, GOLD.c.decided_at) \
        .join(ITEM, ITEM.c.id == GOLD.c.item_id)
    if taxonomy:
        q = q.where(GOLD.c.taxonomy == taxonomy)
    rows = []
    with project.db.read() as conn:
        for item_id, kind, tax, target, labels, decided in conn.execute(q):
            for lab in json.loads(labels) or [""]:
                rows.append((item_id, kind, tax, "gold", target, lab, "", decided))
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
