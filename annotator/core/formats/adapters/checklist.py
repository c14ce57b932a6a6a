"""Checklist rubrics (`checklist`): a prompt with its requirements as a list or as one numbered text, under
`checklist`, `requirements` or `rubric`. The published sets with their own adapters (WildChecklists,
OpenRubrics, AdvancedIF) are recognised first; this one reads the shapes teams write themselves."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from ...model import Criterion, Record
from ..adapter import Adapter, Context, IdText, Open, Text, rubric_item
from ..chat import Message, messages_text
from ..rubric_text import split_rubric

CHECKLIST_FIELDS = ("checklist", "requirements", "rubric")
_ENTRY_TEXT = ("text", "requirement", "criterion", "description", "item")


class ChecklistEntry(Open):
    text: Text
    points: float | None = None
    weight: float | None = None

    @classmethod
    def from_raw(cls, value: Any) -> Any:
        if isinstance(value, dict) and "text" not in value:
            for name in _ENTRY_TEXT:
                if name in value:
                    return {**value, "text": value[name]}
        return value


class ChecklistRecord(Open):
    id: IdText | None = None
    prompt_id: IdText | None = None
    prompt: list[Message] | Text
    checklist: list[ChecklistEntry | Text] | Text | None = None
    requirements: list[ChecklistEntry | Text] | Text | None = None
    rubric: list[ChecklistEntry | Text] | Text | None = None
    source: str = ""

    @field_validator("checklist", "requirements", "rubric", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [ChecklistEntry.from_raw(v) for v in value]
        return value


def convert_checklist(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(ChecklistRecord, raw)
    if data is None:
        return None
    given = [name for name in CHECKLIST_FIELDS if getattr(data, name) is not None]
    if not given:
        ctx.problem("checklist", "is missing: give the requirements as 'checklist', 'requirements' or 'rubric'")
        return None
    if len(given) > 1:
        ctx.problem(given[1], f"is given together with '{given[0]}'; give the requirements once")
        return None
    value = getattr(data, given[0])
    if isinstance(value, str):
        criteria = split_rubric(value)
    else:
        criteria = []
        for entry in value:
            if isinstance(entry, str):
                criteria.append(Criterion(id=f"c{len(criteria) + 1}", text=entry))
            else:
                criteria.append(Criterion(id=f"c{len(criteria) + 1}", text=entry.text, points=entry.points,
                                          weight=entry.weight))
    if not criteria:
        ctx.problem(given[0], "holds no requirement")
        return None
    item = rubric_item(data.id or data.prompt_id, raw, data.source or "checklist", messages_text(data.prompt),
                       criteria, {})
    return Record(item=item, line=ctx.line)


ADAPTER = Adapter(
    name="checklist", description="a prompt with a checklist of requirements (a list or a numbered text)",
    convert=convert_checklist, fields=("prompt", "checklist | requirements | rubric"),
    detect=lambda record: bool(set(record) & set(CHECKLIST_FIELDS)) and "criteria" not in record, order=60,
)
