"""HealthBench Professional (`healthbench_professional`): `id`, `conversation.messages` (the prompt),
`rubric_items[]` with `criterion_text` and `points`; `use_case`, `type`, `difficulty` and `specialty` (and any
other field) are kept in `meta`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...model import Criterion, Record
from ..adapter import Adapter, Context, IdText, Open, Text, rubric_item
from ..chat import Message, messages_text


class Conversation(Open):
    messages: list[Message] = Field(min_length=1)


class RubricItem(Open):
    criterion_text: Text
    points: float


class ProfessionalRecord(Open):
    id: IdText | None = None
    conversation: Conversation
    rubric_items: list[RubricItem] = Field(min_length=1)


def convert_healthbench_professional(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(ProfessionalRecord, raw)
    if data is None:
        return None
    criteria = [Criterion(id=f"c{i + 1}", text=r.criterion_text, points=r.points)
                for i, r in enumerate(data.rubric_items)]
    item = rubric_item(data.id, raw, "healthbench_professional", messages_text(data.conversation.messages),
                       criteria, data.extra())
    return Record(item=item, line=ctx.line)


ADAPTER = Adapter(
    name="healthbench_professional",
    description="HealthBench Professional (conversation.messages, rubric_items with criterion_text and points)",
    convert=convert_healthbench_professional, fields=("conversation", "rubric_items"),
    detect=lambda record: "rubric_items" in record and "conversation" in record, order=15,
)
