"""Reading a metric's predictions (DESIGN section 4) and storing them in a project.

Predictions CSV: item_id, taxonomy, metric, target, label, score. Every item that appears is scored by that
metric; a unit-label pair without a row counts as score 0; an empty score means 1. RIFT result JSONL
(`labels`, `votes`) gives rubric-level answers: a label's score is the share of votes that gave it; a record
with `error` or without votes is not scored, and the summary counts such records by reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

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
    skipped: dict[str, int] = field(default_factory=dict)  # records not scored, by reason

    def line(self) -> str:
        parts = ", ".join(f"{m}: {n} predictions" for m, n in sorted(self.metrics.items()))
        line = f"scored {self.items} items ({parts or 'no predictions'})"
        if self.skipped:
            reasons = ", ".join(f"{why}: {n}" for why, n in sorted(self.skipped.items()))
            total = sum(self.skipped.values())
            line += f"; {total} record{'s' if total != 1 else ''} not scored ({reasons})"
        return line


def read_predictions(path: str | Path, project, metric: str | None = None
                     ) -> tuple[list[Prediction], set[tuple], dict[str, int]]:
    """Validated predictions of a CSV or RIFT result JSONL file, the (item, taxonomy, metric) it scores, and how
    many records were left unscored, by reason."""
    from .formats.csv_table import csv_rows
    from .formats.problems import ProblemLog, TooManyProblems

    path = Path(path)
    if path.suffix.lower() in (".jsonl", ".json"):
        return _read_rift_results(path, project, metric)
    log = ProblemLog()
    preds: list[Prediction] = []
    scored: set[tuple] = set()
    file = str(path)
    try:
        with project.db.read() as conn:
            placement = project.labels.placement(conn)
            for line, cells in csv_rows(path, log, REQUIRED):
                try:
                    row = PredictionCsvRow.model_validate({k: restore(v) for k, v in cells.items()})
                except ValidationError as exc:
                    for e in exc.errors():
                        log.add(file, line, ".".join(str(x) for x in e["loc"]), e["msg"].removeprefix("Value error, "))
                    continue
                name = metric or row.metric
                if not name:
                    log.add(file, line, "metric", "no metric named (give a metric column or --metric)")
                    continue
                # a metric may score every label of a single-choice unit (a distribution), so that rule stays out
                problem = placement.problem(row.item_id, row.taxonomy, name, row.target, row.label, single=False)
                if problem:
                    log.add(file, line, *problem)
                    continue
                scored.add((row.item_id, row.taxonomy, name))
                if row.label:
                    preds.append(Prediction(item_id=row.item_id, taxonomy=row.taxonomy, metric=name,
                                            target=row.target, label=row.label,
                                            score=1.0 if row.score is None else row.score))
    except TooManyProblems:
        pass
    if log:
        raise InputError(log.final(file))
    return preds, scored, {}


def _read_rift_results(path: Path, project, metric: str | None
                       ) -> tuple[list[Prediction], set[tuple], dict[str, int]]:
    """RIFT results; every record must name an item of the project and only labels of its RIFT taxonomy. A
    record the judge never answered (`error`, or no votes) scores nothing and is counted by its reason."""
    from .formats import read_rift_results

    name = metric or path.stem
    preds, scored = [], set()
    skipped: dict[str, int] = {}
    problems: list[Problem] = []
    try:
        tax = project.taxonomies.get("rift")
    except NotFound:
        raise InputError(Problem(str(path), 0, "", "the project has no taxonomy 'rift'")) from None
    with project.db.read() as conn:
        placement = project.labels.placement(conn)
        for verdict in read_rift_results(path):
            problem = placement.problem(verdict.item_id, "rift", name, "item", "", single=False)
            if problem is not None:
                field = "id" if problem[0] == "item_id" else problem[0]
                problems.append(Problem(str(path), verdict.line, field, problem[1]))
                continue
            if verdict.unscored:
                skipped[verdict.unscored] = skipped.get(verdict.unscored, 0) + 1
                continue
            given = {lab for lab in [*verdict.labels, *(v for vote in verdict.votes for v in vote)]}
            unknown = sorted(given - set(tax.label_ids))
            if unknown:
                problems.append(Problem(str(path), verdict.line, "labels", f"taxonomy 'rift' has no label(s) "
                                                                           f"{', '.join(map(repr, unknown))}"))
                continue
            preds += _rift_predictions(verdict.item_id, name, verdict.votes)
            scored.add((verdict.item_id, "rift", name))
    if problems:
        raise InputError(problems)
    return preds, scored, skipped


def _rift_predictions(item_id: str, name: str, votes: list[list[str]]) -> list[Prediction]:
    """A label's score is the share of the votes that gave it."""
    shares: dict[str, float] = {}
    for vote in votes:
        for lab in set(vote):
            shares[lab] = shares.get(lab, 0.0) + 1.0 / len(votes)
    return [Prediction(item_id=item_id, taxonomy="rift", metric=name, target="item", label=lab,
                       score=round(min(1.0, share), 6)) for lab, share in sorted(shares.items())]


def import_predictions(project, paths: Iterable[str | Path], metric: str | None = None) -> PredictionImportSummary:
    """Store predictions from files: each metric's answers replace its earlier answers for the items scored."""
    all_preds: list[Prediction] = []
    all_scored: set[tuple] = set()
    skipped: dict[str, int] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            preds, scored, unscored = read_predictions(path, project, metric)
        except InputError as exc:
            problems += exc.problems
            continue
        all_preds += preds
        all_scored |= scored
        for reason, count in unscored.items():
            skipped[reason] = skipped.get(reason, 0) + count
    if problems:
        raise InputError(problems)
    groups = sorted({(t, m) for _, t, m in all_scored})

    def work(conn: Connection) -> PredictionImportSummary:
        counts: dict[str, int] = {}
        for tax, name in groups:
            items = [i for i, t, m in all_scored if t == tax and m == name]
            preds = [p for p in all_preds if p.taxonomy == tax and p.metric == name]
            counts[name] = counts.get(name, 0) + project.predictions.replace(conn, tax, name, items, preds)
        return PredictionImportSummary(counts, len({i for i, _, _ in all_scored}), skipped)

    return project.db.write(work)
