"""The long labels CSV (DESIGN section 4): reading it strictly, merging it into a project, and reading it alone
as a `LabelData` for agreement without a project.

Columns: item_id, item_kind, taxonomy, annotator, target, label, note, created_at, done (DESIGN 10.2). The
(item, taxonomy, annotator) of a row is done unless the row says `done` false: unfinished work travels too,
and stays unfinished. A row with an empty label says "nothing on this target" (and may carry a note). The same
row twice is the same label, not a duplicate. Notes are kept exactly, spaces included.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Iterable, Iterator

import pandas as pd
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator
from sqlalchemy import Connection, and_, insert, select

from .csv_cells import restore
from .errors import InputError, Problem
from .model import ITEM_KINDS
from .stats import data as ld
from .targets import parse_target
from .taxonomy import Taxonomy

LABEL_CSV_COLUMNS = ["item_id", "item_kind", "taxonomy", "annotator", "target", "label", "note", "created_at",
                     "done"]
DONE_WORDS = {"true": True, "false": False}
REQUIRED = ["item_id", "taxonomy", "annotator", "target", "label"]
MAX_PROBLEMS = 100


class LabelCsvRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    item_id: str
    item_kind: str = ""
    taxonomy: str
    annotator: str
    target: str = "item"
    label: str = ""
    note: Annotated[str, StringConstraints(strip_whitespace=False)] = ""  # a note comes back as it was typed
    created_at: datetime | None = None
    done: bool = True

    @field_validator("item_id", "taxonomy", "annotator")
    @classmethod
    def _not_empty(cls, v: str) -> str:
        if not v:
            raise ValueError("must not be empty")
        return v

    @field_validator("item_kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v and v not in ITEM_KINDS:
            raise ValueError(f"{v!r} is not an item kind (rubric, caption, trace)")
        return v

    @field_validator("target")
    @classmethod
    def _target(cls, v: str) -> str:
        return str(parse_target(v or "item"))

    @field_validator("created_at", mode="before")
    @classmethod
    def _time(cls, v: object) -> object:
        return None if v in ("", None) else v

    @field_validator("done", mode="before")
    @classmethod
    def _done(cls, v: object) -> object:
        """`true` or `false` as export writes them (any case); an empty cell, like a missing column, is true."""
        if isinstance(v, bool):
            return v
        word = str(v).strip().lower()
        if not word:
            return True
        if word not in DONE_WORDS:
            raise ValueError(f"{v!r} is not true or false")
        return DONE_WORDS[word]


@dataclass(frozen=True)
class CsvLabel:
    line: int
    row: LabelCsvRow


def read_label_rows(path: str | Path) -> Iterator[CsvLabel]:
    """Validated rows of a labels CSV, streamed; raises InputError with every problem at the end."""
    path = Path(path)
    problems: list[Problem] = []
    if not path.is_file():
        raise InputError(Problem(str(path), 0, "", "no such file"))
    with path.open("rb") as raw:
        head = raw.read(4096)
    if not head.strip():
        raise InputError(Problem(str(path), 0, "", "the file is empty"))
    if b"\x00" in head:
        raise InputError(Problem(str(path), 0, "", "this is a binary file, not a CSV"))
    with path.open("rb") as handle:
        reader = csv.reader(_utf8_lines(handle, path))
        try:
            header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            raise InputError(Problem(str(path), 0, "", "the file is empty")) from None
        except _DecodeProblem as exc:
            raise InputError(exc.problem) from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            hint = ""
            if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
                hint = " (the file seems to use another delimiter: labels CSV files are comma-separated)"
            raise InputError(Problem(str(path), 1, "header", f"missing column(s): {', '.join(missing)}{hint}"))
        line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except _DecodeProblem as exc:
                problems.append(exc.problem)
                break
            except csv.Error as exc:
                problems.append(Problem(str(path), reader.line_num, "", f"not valid CSV: {exc}"))
                break
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(str(path), line, "", f"{len(cells)} cells where the header has {len(header)}"))
            else:
                record = {h: restore(c) for h, c in zip(header, cells)}
                try:
                    yield CsvLabel(line, LabelCsvRow.model_validate(record))
                except ValidationError as exc:
                    for err in exc.errors():
                        problems.append(Problem(str(path), line, ".".join(str(x) for x in err["loc"]),
                                                err["msg"].removeprefix("Value error, ")))
            if len(problems) >= MAX_PROBLEMS:
                problems.append(Problem(str(path), line, "", f"stopped after {MAX_PROBLEMS} problems"))
                break
    if problems:
        raise InputError(problems)


class _DecodeProblem(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _utf8_lines(handle: io.BufferedReader, path: Path) -> Iterator[str]:
    # decoded a line at a time: a text-mode file decodes whole blocks ahead, which puts the error on the wrong line
    for line, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _DecodeProblem(Problem(str(path), line, "", f"not UTF-8 text ({exc.reason} at byte {exc.start} "
                                                              "of the line)")) from None


# --- into a project -------------------------------------------------------------------------------------
@dataclass
class LabelImportSummary:
    rows: int = 0
    labels_added: int = 0
    done_added: int = 0
    notes: int = 0
    annotators: tuple[str, ...] = ()

    def line(self) -> str:
        return (f"read {self.rows} rows: {self.labels_added} new labels, {self.done_added} newly done items, "
                f"{self.notes} notes, annotators {', '.join(self.annotators) or 'none'}")


def import_labels_csv(project, paths: Iterable[str | Path]) -> LabelImportSummary:
    """Merge labels CSV files into the project, all-or-nothing, in one transaction.

    Import only adds: work one row calls done is marked done, and work already done in the project stays
    done whatever a `done=false` row says (it may come from an export made before the annotator finished)."""
    from .store.labels import ensure_annotator, now
    from .store.tables import COMPLETION, ITEM, LABEL, NOTE, UNIT

    paths = [Path(p) for p in paths]

    def work(conn: Connection) -> LabelImportSummary:
        summary = LabelImportSummary()
        problems: list[Problem] = []
        kinds: dict[str, str | None] = {}
        units: dict[str, set[str]] = {}
        seen_labels: set[tuple] = set()
        done: set[tuple[str, str, str]] = set()
        notes: dict[tuple, str] = {}
        annotators: set[str] = set()
        rows_to_add: list[dict] = []

        def item_kind(item_id: str) -> str | None:
            if item_id not in kinds:
                kinds[item_id] = conn.execute(select(ITEM.c.kind).where(ITEM.c.id == item_id)).scalar()
            return kinds[item_id]

        def item_units(item_id: str) -> set[str]:
            if item_id not in units:
                units[item_id] = set(conn.execute(select(UNIT.c.target).where(UNIT.c.item_id == item_id)).scalars())
            return units[item_id]

        for path in paths:
            try:
                for entry in read_label_rows(path):
                    r = entry.row
                    summary.rows += 1
                    where = (str(path), entry.line)
                    kind = item_kind(r.item_id)
                    if kind is None:
                        problems.append(Problem(*where, "item_id", f"item {r.item_id!r} is not in the project"))
                        continue
                    if r.item_kind and r.item_kind != kind:
                        problems.append(Problem(*where, "item_kind", f"item {r.item_id!r} is a {kind}, not a {r.item_kind}"))
                        continue
                    try:
                        tax = project.taxonomies.get(r.taxonomy)
                    except Exception:
                        try:
                            project.taxonomies.ensure_in(conn, r.taxonomy)
                            tax = project.taxonomies.get(r.taxonomy)
                        except Exception:
                            problems.append(Problem(*where, "taxonomy", f"the project has no taxonomy {r.taxonomy!r}"))
                            continue
                    if kind not in tax.applies_to:
                        problems.append(Problem(*where, "taxonomy", f"taxonomy {tax.id!r} does not apply to {kind} items"))
                        continue
                    problem = tax.placement_problem(r.label, r.target, item_units(r.item_id))
                    if problem:
                        problems.append(Problem(*where, *problem))
                        continue
                    if r.done:  # a done=false row brings its labels and note, and leaves the item unfinished
                        done.add((r.item_id, r.taxonomy, r.annotator))
                    annotators.add(r.annotator)
                    if r.note:
                        notes[(r.item_id, r.taxonomy, r.annotator, r.target)] = r.note
                    if r.label:
                        key = (r.item_id, r.taxonomy, r.annotator, r.target, r.label)
                        if key not in seen_labels:
                            seen_labels.add(key)
                            stamp = r.created_at.isoformat(timespec="seconds") if r.created_at else now()
                            rows_to_add.append(dict(zip(("item_id", "taxonomy", "annotator", "target", "label"), key),
                                                    created_at=stamp))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(problems)
        for name in sorted(annotators):
            ensure_annotator(conn, name)
        for row in rows_to_add:
            exists = conn.execute(select(LABEL.c.pk).where(and_(
                LABEL.c.item_id == row["item_id"], LABEL.c.taxonomy == row["taxonomy"],
                LABEL.c.annotator == row["annotator"], LABEL.c.target == row["target"],
                LABEL.c.label == row["label"]))).first()
            if exists is None:
                conn.execute(insert(LABEL).values(**row))
                summary.labels_added += 1
        for item_id, tax_id, ann in sorted(done):
            exists = conn.execute(select(COMPLETION.c.item_id).where(and_(
                COMPLETION.c.item_id == item_id, COMPLETION.c.taxonomy == tax_id,
                COMPLETION.c.annotator == ann))).first()
            if exists is None:
                conn.execute(insert(COMPLETION).values(item_id=item_id, taxonomy=tax_id, annotator=ann, done_at=now()))
                summary.done_added += 1
        for (item_id, tax_id, ann, target), text in notes.items():
            key = and_(NOTE.c.item_id == item_id, NOTE.c.taxonomy == tax_id, NOTE.c.annotator == ann,
                       NOTE.c.target == target)
            conn.execute(NOTE.delete().where(key))
            conn.execute(insert(NOTE).values(item_id=item_id, taxonomy=tax_id, annotator=ann, target=target,
                                             text=text, updated_at=now()))
            summary.notes += 1
        summary.annotators = tuple(sorted(annotators))
        return summary

    return project.db.write(work)


# --- alone, for agreement without a project ---------------------------------------------------------
def label_data_from_csv(paths: Iterable[str | Path], taxonomy: Taxonomy) -> ld.LabelData:
    """A LabelData from labels CSV files alone: the units are those that appear (DESIGN section 4)."""
    done, labels, units, spans = set(), set(), set(), []
    problems: list[Problem] = []
    for path in paths:
        try:
            for entry in read_label_rows(path):
                r = entry.row
                if r.taxonomy != taxonomy.id or not r.done:  # figures count finished work only (DESIGN 10.2)
                    continue
                problem = taxonomy.placement_problem(r.label, r.target)
                if problem:
                    problems.append(Problem(str(path), entry.line, *problem))
                    continue
                done.add((r.item_id, r.annotator))
                units.add((r.item_id, "item", "item"))
                tgt = parse_target(r.target)
                if tgt.kind in ("criterion", "step"):
                    units.add((r.item_id, r.target, tgt.kind))
                if not r.label:
                    continue
                if tgt.kind == "span":
                    spans.append((r.item_id, r.annotator, tgt.ref, tgt.start, tgt.end, r.label))
                    ldef = taxonomy.label(r.label)
                    if ldef.target == "item":
                        labels.add((r.item_id, r.annotator, "item", r.label))
                    elif ldef.target == "step" and tgt.ref not in ("trace", "caption", "prompt", "problem"):
                        units.add((r.item_id, f"step:{tgt.ref}", "step"))
                        labels.add((r.item_id, r.annotator, f"step:{tgt.ref}", r.label))
                else:
                    labels.add((r.item_id, r.annotator, r.target, r.label))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return ld.LabelData(
        taxonomy=taxonomy,
        units=pd.DataFrame(sorted(units), columns=ld.UNIT_COLUMNS),
        done=pd.DataFrame(sorted(done), columns=ld.DONE_COLUMNS),
        labels=pd.DataFrame(sorted(labels), columns=ld.LABEL_COLUMNS),
        spans=pd.DataFrame(spans, columns=ld.SPAN_COLUMNS),
    )
