"""RIFT's rubric files: bring-your-own rubric JSONL, and result JSONL whose labels and votes are predictions.

Both derive a missing id from the same content (prompt and rubric text), so a result file's records find the
rubrics imported from the matching bring-your-own file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError
from ..model import Item, Record
from .adapter import Context, IdText, Text
from .ids import stable_id
from .problems import ProblemLog, TooManyProblems
from .rubric_text import split_rubric


class RiftRubric(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    id: IdText | None = None
    input_context: str = ""
    rubric_text: Text
    source: str = ""


class RiftMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    id: IdText | None = None
    rubric_id: IdText | None = None
    source: str | None = None


class RiftResult(RiftRubric):
    labels: list[str] = Field(default_factory=list)
    votes: list[list[str]] = Field(default_factory=list)
    metadata: RiftMetadata = Field(default_factory=RiftMetadata)

    def item_id(self) -> str:
        return self.metadata.id or self.metadata.rubric_id or self.id or rift_id(self.input_context, self.rubric_text)


def rift_id(input_context: str, rubric_text: str) -> str:
    return stable_id("rubric", {"input_context": input_context, "rubric_text": rubric_text})


def _rubric_item(item_id: str, data: RiftRubric, source: str, ctx: Context) -> Item | None:
    criteria = split_rubric(data.rubric_text)
    if not criteria:
        ctx.problem("rubric_text", "holds no criterion")
        return None
    return Item(id=item_id, kind="rubric", source=source, prompt=data.input_context, criteria=tuple(criteria))


def convert_rift(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(RiftRubric, raw)
    if data is None:
        return None
    item = _rubric_item(data.id or rift_id(data.input_context, data.rubric_text), data, data.source or "rift", ctx)
    return Record(item=item, line=ctx.line) if item else None


def convert_rift_results(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(RiftResult, raw)
    if data is None:
        return None
    source = data.metadata.source or data.source or "rift"
    item = _rubric_item(data.item_id(), data, source, ctx)
    return Record(item=item, line=ctx.line) if item else None


def read_rift_results(path: str | Path) -> Iterator[tuple[int, str, list[str], list[list[str]]]]:
    """(line, item id, labels, votes) for each record of a RIFT-style result file, for the predictions importer.

    Like `read_records`, every problem is collected and raised as one InputError when the iteration ends.
    """
    from .reader import iter_raw  # the reader imports this module for its registry

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
                yield line, data.item_id(), list(data.labels), [list(v) for v in data.votes]
    except TooManyProblems:
        pass
    if log:
        raise InputError(log.final(str(path)))
