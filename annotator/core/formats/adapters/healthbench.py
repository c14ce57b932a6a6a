"""HealthBench (`healthbench`): a conversation (`prompt`, a list of messages), physician-written `rubrics` with
`points` (negative for penalties) and `tags`; `example_tags` and `ideal_completions_data` are kept in `meta`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...model import Criterion, Record
from ..adapter import Adapter, Context, IdText, Open, Text, rubric_item
from ..chat import Message, messages_text


class HealthRubric(Open):
    criterion: Text
    points: float
    tags: list[str] = Field(default_factory=list)


class HealthRecord(Open):
    prompt_id: IdText | None = None
    prompt: list[Message] | Text
    rubrics: list[HealthRubric] = Field(min_length=1)
    example_tags: list[str] = Field(default_factory=list)
    ideal_completions_data: dict[str, Any] | None = None


def convert_healthbench(raw: dict[str, Any], ctx: Context) -> Record | None:
    """The conversation is the prompt; a criterion's `axis:...` tag also gives its axis."""
    data = ctx.check(HealthRecord, raw)
    if data is None:
        return None
    criteria = []
    for i, r in enumerate(data.rubrics):
        axes = [t.split(":", 1)[1] for t in r.tags if t.startswith("axis:")]
        criteria.append(Criterion(id=f"c{i + 1}", text=r.criterion, points=r.points,
                                  axis=axes[0] if axes else None, tags=tuple(r.tags)))
    meta: dict[str, Any] = {"example_tags": data.example_tags} if data.example_tags else {}
    if data.ideal_completions_data:
        meta["ideal_completions_data"] = data.ideal_completions_data
    item = rubric_item(data.prompt_id, raw, raw.get("source") or "healthbench", messages_text(data.prompt),
                       criteria, meta)
    return Record(item=item, line=ctx.line)


def _is_healthbench(record: dict[str, Any]) -> bool:
    rubrics = record.get("rubrics")
    if not isinstance(rubrics, list):
        return False
    first = next((r for r in rubrics if isinstance(r, dict)), {})
    if "weight" in first or "axis" in first:
        return False
    return "points" in first or isinstance(record.get("prompt"), list) or "prompt_id" in record


ADAPTER = Adapter(
    name="healthbench", description="HealthBench rubrics (a conversation; rubrics with points and tags)",
    convert=convert_healthbench, fields=("prompt_id", "prompt", "rubrics[].points"), detect=_is_healthbench,
    order=40,
)
