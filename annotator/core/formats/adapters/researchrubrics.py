"""ResearchRubrics (`researchrubrics`): a research `prompt` and `rubrics[]` each with `criterion`, `axis` and a
(possibly negative) `weight`; `domain` and `sample_id` are kept in `meta`, and `sample_id` is the item id."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...model import Criterion, Record
from ..adapter import Adapter, Context, IdText, Open, Text, rubric_item
from ..chat import Message, messages_text


class ResearchRubric(Open):
    criterion: Text
    axis: str | None = None
    weight: float | None = None


class ResearchRecord(Open):
    id: IdText | None = None
    sample_id: IdText | None = None
    prompt_id: IdText | None = None
    prompt: list[Message] | Text
    rubrics: list[ResearchRubric] = Field(min_length=1)
    domain: str | None = None


def convert_researchrubrics(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(ResearchRecord, raw)
    if data is None:
        return None
    criteria = [Criterion(id=f"c{i + 1}", text=r.criterion, axis=r.axis, weight=r.weight)
                for i, r in enumerate(data.rubrics)]
    meta = {k: v for k, v in (("domain", data.domain), ("sample_id", data.sample_id)) if v}
    item = rubric_item(data.id or data.sample_id or data.prompt_id, raw, raw.get("source") or "researchrubrics",
                       messages_text(data.prompt), criteria, meta)
    return Record(item=item, line=ctx.line)


def _is_researchrubrics(record: dict[str, Any]) -> bool:
    rubrics = record.get("rubrics")
    if not isinstance(rubrics, list) or "prompt" not in record:
        return False
    first = next((r for r in rubrics if isinstance(r, dict)), None)
    if first is None:
        return False
    looks_healthbench = "points" in first or isinstance(record["prompt"], list) or "prompt_id" in record
    return "weight" in first or "axis" in first or not looks_healthbench


ADAPTER = Adapter(
    name="researchrubrics", description="ResearchRubrics (rubrics with criterion, axis and weight)",
    convert=convert_researchrubrics, fields=("prompt", "rubrics[].criterion", "rubrics[].axis", "rubrics[].weight"),
    detect=_is_researchrubrics, order=35,
)
