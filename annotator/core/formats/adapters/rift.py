"""RIFT's bring-your-own rubric JSONL (`rift`): `input_context` (the prompt), `rubric_text` (split into
criteria) and `source`, plus any fields of the team's own, which RIFT passes through and we keep in `meta`.

A record without an id gets one derived from its prompt and rubric text, the same one its RIFT result records
get, so a result file's predictions find the rubrics imported from the matching input file.
"""

from __future__ import annotations

from typing import Any

from ...model import Item, Record
from ..adapter import Adapter, Context, IdText, Open, Text, split_criteria
from ..ids import stable_id


class RiftRubric(Open):
    id: IdText | None = None
    input_context: str = ""
    rubric_text: Text
    source: str = ""


def rift_id(input_context: str, rubric_text: str) -> str:
    return stable_id("rubric", {"input_context": input_context, "rubric_text": rubric_text})


def rift_item(item_id: str, data: RiftRubric, source: str, meta: dict[str, Any], ctx: Context) -> Item | None:
    criteria = split_criteria(data.rubric_text, "rubric_text", ctx)
    if criteria is None:
        return None
    return Item(id=item_id, kind="rubric", source=source, prompt=data.input_context, criteria=tuple(criteria),
                meta=meta)


def convert_rift(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(RiftRubric, raw)
    if data is None:
        return None
    item_id = data.id or rift_id(data.input_context, data.rubric_text)
    item = rift_item(item_id, data, data.source or "rift", data.extra(), ctx)
    return Record(item=item, line=ctx.line) if item else None


ADAPTER = Adapter(
    name="rift", description="RIFT bring-your-own rubric JSONL (input_context, rubric_text, source)",
    convert=convert_rift, fields=("input_context", "rubric_text"),
    detect=lambda record: "rubric_text" in record, order=21,
)
