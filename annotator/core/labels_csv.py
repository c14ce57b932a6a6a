"""The long labels CSV (DESIGN section 4): reading it strictly, merging it into a project, and reading it alone
as a `LabelData` for agreement without a project.

Columns: item_id, item_kind, taxonomy, annotator, target, label, note, created_at, done (DESIGN 10.2). The
(item, taxonomy, annotator) of a row is done unless the row says `done` false: unfinished work travels too,
and stays unfinished. A row with an empty label says "nothing on this target" (and may carry a note). The same
row twice is the same label, not a duplicate. Notes are kept exactly, spaces included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterable, Iterator

import pandas as pd
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from .csv_cells import restore
from .label_columns import LABEL_CSV_COLUMNS
from .errors import InputError, Problem
from .model import ITEM_KINDS
from .stats import data as ld
from .targets import parse_target
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    from .store.label_batch import LabelImportSummary

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
    from .formats.csv_table import csv_rows
    from .formats.problems import ProblemLog, TooManyProblems

    path = Path(path)
    log = ProblemLog(MAX_PROBLEMS)
    try:
        for line, cells in csv_rows(path, log, REQUIRED):
            record = {h: restore(c) for h, c in cells.items()}
            try:
                yield CsvLabel(line, LabelCsvRow.model_validate(record))
            except ValidationError as exc:
                for err in exc.errors():
                    log.add(str(path), line, ".".join(str(x) for x in err["loc"]),
                            err["msg"].removeprefix("Value error, "))
    except TooManyProblems:
        pass
    if log:
        raise InputError(log.final(str(path)))


# --- into a project -------------------------------------------------------------------------------------
def import_labels_csv(project, paths: Iterable[str | Path]) -> "LabelImportSummary":
    """Merge labels CSV files into the project, all-or-nothing; the store checks every row as it checks a key
    press (taxonomy, label, target, one answer per single-choice unit) and writes in one short transaction."""
    from .store.label_batch import store_label_rows

    return store_label_rows(project, [_rows_in(Path(p)) for p in paths])


def _rows_in(path: Path):
    from .store.label_batch import LabelRowIn

    for entry in read_label_rows(path):
        r = entry.row
        yield LabelRowIn(file=str(path), line=entry.line, item_id=r.item_id, taxonomy=r.taxonomy,
                         annotator=r.annotator, target=r.target, label=r.label, note=r.note,
                         created_at=r.created_at.isoformat(timespec="seconds") if r.created_at else None,
                         item_kind=r.item_kind, done=r.done)


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
