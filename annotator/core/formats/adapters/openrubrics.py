"""OpenRubrics (`openrubrics`): an `instruction`, its `rubric` (one text of numbered items marked `[Hard Rule]`
or `[Principle]`, which become the criterion's tags) and `source` (the data set the instruction came from,
kept in `meta` as `source`)."""

from __future__ import annotations

from typing import Any

from ...model import Record
from ..adapter import Adapter, Context, Open, Text, rubric_item, split_criteria


class OpenRubricsRecord(Open):
    instruction: Text
    rubric: Text
    source: str | None = None


def convert_openrubrics(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(OpenRubricsRecord, raw)
    if data is None:
        return None
    criteria = split_criteria(data.rubric, "rubric", ctx)
    if criteria is None:
        return None
    meta = {**data.extra(), **({"source": data.source} if data.source else {})}
    item = rubric_item(None, raw, "openrubrics", data.instruction, criteria, meta)
    return Record(item=item, line=ctx.line)


ADAPTER = Adapter(
    name="openrubrics", description="OpenRubrics (instruction, rubric with [Hard Rule] / [Principle] items)",
    convert=convert_openrubrics, fields=("instruction", "rubric"),
    detect=lambda record: "instruction" in record and isinstance(record.get("rubric"), str), order=50,
)
