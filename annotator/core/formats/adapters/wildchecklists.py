"""WildChecklists (`wildchecklists`): a user `prompt` and its `requirements`, one numbered text (`1) ... 2) ...`)
whose items may hold a nested list restarting at 1, and end with `(importance: N/100)`, read as weight N/100.
Other fields of the record are kept in `meta`."""

from __future__ import annotations

from typing import Any

from ...model import Record
from ..adapter import Adapter, Context, Open, Text, rubric_item, split_criteria
from ..chat import Message, messages_text


class WildChecklistRecord(Open):
    prompt: list[Message] | Text
    requirements: Text


def convert_wildchecklists(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(WildChecklistRecord, raw)
    if data is None:
        return None
    criteria = split_criteria(data.requirements, "requirements", ctx, "requirement")
    if criteria is None:
        return None
    item = rubric_item(None, raw, "wildchecklists", messages_text(data.prompt), criteria, data.extra())
    return Record(item=item, line=ctx.line)


def _is_wildchecklists(record: dict[str, Any]) -> bool:
    return isinstance(record.get("requirements"), str) and "prompt" in record and not (
        set(record) & {"checklist", "rubric", "criteria", "id", "prompt_id"})


ADAPTER = Adapter(
    name="wildchecklists", description="WildChecklists (prompt, requirements as one numbered text)",
    convert=convert_wildchecklists, fields=("prompt", "requirements"), detect=_is_wildchecklists, order=55,
)
