"""Published rubric sets: HealthBench-style, ResearchRubrics-style and checklist-style (AdvancedIF-like)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..model import Criterion, Item, Record
from .adapter import Context, IdText, Text
from .chat import Message, messages_text
from .ids import stable_id
from .rubric_text import split_rubric


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


def _item(kind_id: str | None, raw: dict[str, Any], source: str, prompt: str, criteria: list[Criterion],
          meta: dict[str, Any]) -> Item:
    return Item(id=kind_id or stable_id("rubric", raw), kind="rubric", source=source, meta=meta, prompt=prompt,
                criteria=tuple(criteria))


class HealthRubric(_Open):
    criterion: Text
    points: float
    tags: list[str] = Field(default_factory=list)


class HealthRecord(_Open):
    prompt_id: IdText | None = None
    prompt: list[Message] | Text
    rubrics: list[HealthRubric] = Field(min_length=1)
    example_tags: list[str] = Field(default_factory=list)


def convert_healthbench(raw: dict[str, Any], ctx: Context) -> Record | None:
    """A HealthBench-style rubric: the conversation is the prompt; negative points (penalties) are kept, and a
    criterion's `axis:...` tag also gives its axis."""
    data = ctx.check(HealthRecord, raw)
    if data is None:
        return None
    criteria = []
    for i, r in enumerate(data.rubrics):
        axes = [t.split(":", 1)[1] for t in r.tags if t.startswith("axis:")]
        criteria.append(Criterion(id=f"c{i + 1}", text=r.criterion, points=r.points,
                                  axis=axes[0] if axes else None, tags=tuple(r.tags)))
    meta = {"example_tags": data.example_tags} if data.example_tags else {}
    item = _item(data.prompt_id, raw, raw.get("source") or "healthbench", messages_text(data.prompt), criteria, meta)
    return Record(item=item, line=ctx.line)


class ResearchRubric(_Open):
    criterion: Text
    axis: str | None = None
    weight: float | None = None


class ResearchRecord(_Open):
    id: IdText | None = None
    sample_id: IdText | None = None
    prompt_id: IdText | None = None
    prompt: list[Message] | Text
    rubrics: list[ResearchRubric] = Field(min_length=1)
    domain: str | None = None


def convert_researchrubrics(raw: dict[str, Any], ctx: Context) -> Record | None:
    """A ResearchRubrics-style rubric: each criterion with its axis and (possibly negative) weight."""
    data = ctx.check(ResearchRecord, raw)
    if data is None:
        return None
    criteria = [Criterion(id=f"c{i + 1}", text=r.criterion, axis=r.axis, weight=r.weight)
                for i, r in enumerate(data.rubrics)]
    meta = {"domain": data.domain} if data.domain else {}
    item = _item(data.id or data.sample_id or data.prompt_id, raw, raw.get("source") or "researchrubrics",
                 messages_text(data.prompt), criteria, meta)
    return Record(item=item, line=ctx.line)


CHECKLIST_FIELDS = ("checklist", "requirements", "rubric")
_ENTRY_TEXT = ("text", "requirement", "criterion", "description", "item")


class ChecklistEntry(_Open):
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


class ChecklistRecord(_Open):
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
    """A prompt with a checklist of requirements, given as a list or as one numbered text to split."""
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
    item = _item(data.id or data.prompt_id, raw, data.source or "checklist", messages_text(data.prompt),
                 criteria, {})
    return Record(item=item, line=ctx.line)
