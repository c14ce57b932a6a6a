"""Reading a metric's predictions (DESIGN section 4) and storing them in a project.

Predictions CSV: item_id, taxonomy, metric, target, label, score. Every item that appears is scored by that
metric; a unit-label pair without a row counts as score 0; an empty score means 1. RIFT-style result JSONL
(`labels`, `votes`) gives rubric-level answers: a label's score is the share of votes that gave it (or 1 for a
final label when there are no votes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import Connection

from .csv_cells import restore
from .errors import InputError, NotFound, Problem
from .model import Prediction
from .targets import parse_target

REQUIRED = ["item_id", "taxonomy", "target", "label"]


class PredictionCsvRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    item_id: str
    taxonomy: str
    metric: str = ""
    target: str = "item"
    label: str = ""
    score: float | None = None

    @field_validator("score", mode="before")
    @classmethod
    def _score(cls, v: object) -> object:
        return None if v in ("", None) else v

    @field_validator("score")
    @classmethod
    def _in_range(cls, v: float | None) -> float | None:
        if v is not None and not 0.0 <= v <= 1.0:
            raise ValueError("must be between 0 and 1")
        return v

    @field_validator("target")
    @classmethod
    def _target(cls, v: str) -> str:
        return str(parse_target(v or "item"))


@dataclass
class PredictionImportSummary:
    metrics: dict[str, int]
    items: int

    def line(self) -> str:
        parts = ", ".join(f"{m}: {n} predictions" for m, n in sorted(self.metrics.items()))
        return f"scored {self.items} items ({parts or 'no predictions'})"


def _utf8_lines(handle: BinaryIO, path: Path) -> Iterator[str]:
    """Lines decoded one at a time, so a bad byte is reported on its own line (text mode decodes blocks ahead)."""
    for line, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(Problem(str(path), line, "", f"not UTF-8 text ({exc.reason})")) from None


def _csv_records(path: Path) -> Iterable[tuple[int, dict]]:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError(Problem(str(path), 0, "", "no such file")) from None
    with handle:
        reader = csv.DictReader(_utf8_lines(handle, path))
        header = [h.strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
        if not header:
            raise InputError(Problem(str(path), 0, "", "the file is empty"))
        reader.fieldnames = header
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(Problem(str(path), 1, "header", f"missing column(s): {', '.join(missing)}"))
        for row in reader:
            yield reader.line_num, {k.strip(): restore(v or "") for k, v in row.items() if k}


def read_predictions(path: str | Path, project, metric: str | None = None) -> tuple[list[Prediction], set[tuple]]:
    """Validated predictions of a CSV or RIFT-style JSONL file, and the (item, taxonomy, metric) it scores."""
    path = Path(path)
    if path.suffix.lower() in (".jsonl", ".json"):
        return _read_rift_results(path, project, metric)
    problems: list[Problem] = []
    preds: list[Prediction] = []
    scored: set[tuple] = set()
    with project.db.read() as conn:
        placement = project.labels.placement(conn)
        for line, record in _csv_records(path):
            try:
                row = PredictionCsvRow.model_validate(record)
            except ValidationError as exc:
                problems += [Problem(str(path), line, ".".join(str(x) for x in e["loc"]),
                                     e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
                continue
            name = metric or row.metric
            if not name:
                problems.append(Problem(str(path), line, "metric", "no metric named (give a metric column or --metric)"))
                continue
            # a metric may score every label of a single-choice unit (a distribution), so that rule stays out
            problem = placement.problem(row.item_id, row.taxonomy, name, row.target, row.label, single=False)
            if problem:
                problems.append(Problem(str(path), line, *problem))
                continue
            scored.add((row.item_id, row.taxonomy, name))
            if row.label:
                preds.append(Prediction(item_id=row.item_id, taxonomy=row.taxonomy, metric=name, target=row.target,
                                        label=row.label, score=1.0 if row.score is None else row.score))
            if len(problems) >= 100:
                break
    if problems:
        raise InputError(problems)
    return preds, scored


def _read_rift_results(path: Path, project, metric: str | None) -> tuple[list[Prediction], set[tuple]]:
    """RIFT-style results; every record must name an item of the project and only labels of its RIFT taxonomy."""
    from .formats import read_rift_results

    name = metric or path.stem
    preds, scored = [], set()
    problems: list[Problem] = []
    try:
        tax = project.taxonomies.get("rift")
    except NotFound:
        raise InputError(Problem(str(path), 0, "", "the project has no taxonomy 'rift'")) from None
    with project.db.read() as conn:
        placement = project.labels.placement(conn)
        for line, item_id, labels, votes in read_rift_results(path):
            problem = placement.problem(item_id, "rift", name, "item", "", single=False)
            if problem is not None:
                field = "metadata.id" if problem[0] == "item_id" else problem[0]
                problems.append(Problem(str(path), line, field, problem[1]))
                continue
            unknown = sorted({lab for lab in [*labels, *(v for vote in votes for v in vote)]} - set(tax.label_ids))
            if unknown:
                problems.append(Problem(str(path), line, "labels", f"taxonomy 'rift' has no label(s) "
                                                                   f"{', '.join(map(repr, unknown))}"))
                continue
            preds += _rift_predictions(item_id, name, labels, votes)
            scored.add((item_id, "rift", name))
    if problems:
        raise InputError(problems)
    return preds, scored


def _rift_predictions(item_id: str, name: str, labels: list[str], votes: list[list[str]]) -> list[Prediction]:
    """A label's score is the share of votes that gave it; without votes, each final label scores 1."""
    shares: dict[str, float] = {}
    if votes:
        for vote in votes:
            for lab in set(vote):
                shares[lab] = shares.get(lab, 0.0) + 1.0 / len(votes)
    else:
        shares = {lab: 1.0 for lab in labels}
    return [Prediction(item_id=item_id, taxonomy="rift", metric=name, target="item", label=lab,
                       score=round(min(1.0, share), 6)) for lab, share in sorted(shares.items())]


def import_predictions(project, paths: Iterable[str | Path], metric: str | None = None) -> PredictionImportSummary:
    """Store predictions from files: each metric's answers replace its earlier answers for the items scored."""
    all_preds: list[Prediction] = []
    all_scored: set[tuple] = set()
    problems: list[Problem] = []
    for path in paths:
        try:
            preds, scored = read_predictions(path, project, metric)
        except InputError as exc:
            problems += exc.problems
            continue
        all_preds += preds
        all_scored |= scored
    if problems:
        raise InputError(problems)
    groups = sorted({(t, m) for _, t, m in all_scored})

    def work(conn: Connection) -> PredictionImportSummary:
        counts: dict[str, int] = {}
        for tax, name in groups:
            items = [i for i, t, m in all_scored if t == tax and m == name]
            preds = [p for p in all_preds if p.taxonomy == tax and p.metric == name]
            counts[name] = counts.get(name, 0) + project.predictions.replace(conn, tax, name, items, preds)
        return PredictionImportSummary(counts, len({i for i, _, _ in all_scored}))

    return project.db.write(work)
