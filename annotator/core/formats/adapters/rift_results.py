"""RIFT result JSONL (`rift-results`), as RIFT's `run.py` writes it: the rubric's own fields at the top level
(`input_context`, `rubric_text`, `source`, any others), then `labels` (the majority labels), `votes` (one list
per judge run, of `{label, justification, quote}` objects or of label strings), `n_votes`,
`included_failure_modes`, `judge_model`, `eval_mode`, and `error` when every call failed.

Imported as items, a result record gives its rubric. Read as predictions (`read_rift_results`), a record with
`error` or without votes is not scored: the judge never answered, which is not the same as finding nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from ...errors import InputError
from ...model import Record
from ..adapter import Adapter, Context, IdText, Open, Text
from ..problems import ProblemLog, TooManyProblems
from .rift import RiftRubric, rift_id, rift_item


class RiftVote(Open):
    label: Text
    justification: str | None = None
    quote: str | None = None


class RiftMetadata(Open):
    id: IdText | None = None
    rubric_id: IdText | None = None
    source: str | None = None


class RiftResult(RiftRubric):
    labels: list[str] = Field(default_factory=list)
    votes: list[list[RiftVote | Text]] = Field(default_factory=list)
    n_votes: int | None = None
    included_failure_modes: list[str] | None = None
    error: str | None = None
    metadata: RiftMetadata = Field(default_factory=RiftMetadata)

    @field_validator("votes", mode="before")
    @classmethod
    def _null_votes(cls, value: Any) -> Any:
        return [] if value is None else value

    def item_id(self) -> str:
        return self.metadata.id or self.metadata.rubric_id or self.id or rift_id(self.input_context, self.rubric_text)

    def vote_labels(self) -> list[list[str]]:
        return [[v if isinstance(v, str) else v.label for v in vote] for vote in self.votes]

    def unscored(self) -> str | None:
        """Why the judge's answer cannot be scored, or None when it can."""
        if self.error:
            return "the judge call failed"
        if not self.votes:
            return "no votes"
        return None


_RESULT_FIELDS = ("judge_model", "eval_mode", "labels", "votes", "n_votes", "included_failure_modes", "error")


def convert_rift_results(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(RiftResult, raw)
    if data is None:
        return None
    source = data.metadata.source or data.source or "rift"
    meta = {k: v for k, v in data.extra().items() if k not in _RESULT_FIELDS}
    item = rift_item(data.item_id(), data, source, meta, ctx)
    return Record(item=item, line=ctx.line) if item else None


@dataclass(frozen=True)
class RiftVerdict:
    """What one result record says about one rubric, for the predictions importer."""

    line: int
    item_id: str
    labels: list[str]
    votes: list[list[str]]
    included: list[str] | None
    unscored: str | None


def read_rift_results(path: str | Path) -> Iterator[RiftVerdict]:
    """The verdict of each record of a RIFT result file; like `read_records`, every problem is collected and
    raised as one InputError when the iteration ends."""
    from ..reader import iter_raw  # the reader imports the registry, which imports this module

    path = Path(path)
    log = ProblemLog()
    try:
        for line, raw in iter_raw(path, log):
            ctx = Context(path=path, line=line, log=log)
            if not isinstance(raw, dict):
                ctx.problem("", f"record is {type(raw).__name__}, not an object")
                continue
            data = ctx.check(RiftResult, raw)
            if data is not None:
                yield RiftVerdict(line, data.item_id(), list(data.labels), data.vote_labels(),
                                  data.included_failure_modes, data.unscored())
    except TooManyProblems:
        pass
    if log:
        raise InputError(log.final(str(path)))


ADAPTER = Adapter(
    name="rift-results", description="RIFT result JSONL as run.py writes it (rubric fields, labels, votes, error)",
    convert=convert_rift_results, fields=("rubric_text", "labels | votes"),
    detect=lambda record: "rubric_text" in record and bool(set(record) & {"labels", "votes"}), order=20,
)
