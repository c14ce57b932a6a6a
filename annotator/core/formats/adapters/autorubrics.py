"""Auto-Rubric (`autorubrics`): `input` (the conversation, a list of messages), `rubrics` (a list of strings,
one criterion each), `rubric_valid` and `domain`, both kept in `meta`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...model import Criterion, Record
from ..adapter import Adapter, Context, Open, Text, rubric_item
from ..chat import Message, messages_text


class AutoRubricRecord(Open):
    input: list[Message] | Text
    rubrics: list[Text] = Field(min_length=1)
    rubric_valid: bool | str | None = None
    domain: str | None = None


def convert_autorubrics(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(AutoRubricRecord, raw)
    if data is None:
        return None
    criteria = [Criterion(id=f"c{i + 1}", text=text.strip()) for i, text in enumerate(data.rubrics)]
    meta = {**data.extra(), **{k: v for k, v in (("rubric_valid", data.rubric_valid), ("domain", data.domain))
                               if v is not None}}
    item = rubric_item(None, raw, "autorubrics", messages_text(data.input), criteria, meta)
    return Record(item=item, line=ctx.line)


def _is_autorubrics(record: dict[str, Any]) -> bool:
    rubrics = record.get("rubrics")
    return "input" in record and isinstance(rubrics, list) and all(isinstance(r, str) for r in rubrics)


ADAPTER = Adapter(
    name="autorubrics", description="Auto-Rubric (input conversation, rubrics as strings, rubric_valid, domain)",
    convert=convert_autorubrics, fields=("input", "rubrics", "rubric_valid"), detect=_is_autorubrics, order=16,
)
