"""AdvancedIF (`advancedif`): `benchmark_name`, `conversation_history` (a list of `{role, content}`, or that list
written as a JSON string, as the data set publishes it) and `prompt_metadata` (an object or a JSON string) whose
`rubrics` is a list of strings (or that list as a JSON string): one criterion per string.

The prompt is the conversation up to its last user turn, which comes last: that turn is what the rubric grades
the answer to. A graded `response` (messages, or their JSON string) becomes the item's response; the rest of
`prompt_metadata` and of the record is kept in `meta`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ...model import Criterion, Record
from ..adapter import Adapter, Context, JsonOrText, Open, Text, rubric_item
from ..chat import Message, messages_text


class PromptMetadata(Open):
    rubrics: Annotated[list[Text], JsonOrText] = Field(min_length=1)


class AdvancedIfRecord(Open):
    benchmark_name: str
    conversation_history: Annotated[list[Message], JsonOrText] = Field(min_length=1)
    prompt_metadata: Annotated[PromptMetadata, JsonOrText]
    response: Annotated[list[Message] | str | None, JsonOrText] = None


def convert_advancedif(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(AdvancedIfRecord, raw)
    if data is None:
        return None
    turns = data.conversation_history
    users = [i for i, m in enumerate(turns) if m.role == "user"]
    shown = turns[: users[-1] + 1] if users else turns
    criteria = [Criterion(id=f"c{i + 1}", text=text.strip()) for i, text in enumerate(data.prompt_metadata.rubrics)]
    meta: dict[str, Any] = {"benchmark_name": data.benchmark_name, **data.prompt_metadata.extra(), **data.extra()}
    if len(shown) < len(turns):
        meta["turns_after_last_user_turn"] = [m.model_dump() for m in turns[len(shown):]]
    item = rubric_item(None, raw, "advancedif", messages_text(shown), criteria, meta)
    if data.response:
        item = item.model_copy(update={"response": messages_text(data.response)})
    return Record(item=item, line=ctx.line)


ADAPTER = Adapter(
    name="advancedif", description="AdvancedIF (conversation_history, prompt_metadata.rubrics; JSON strings read)",
    convert=convert_advancedif, fields=("benchmark_name", "conversation_history", "prompt_metadata"),
    detect=lambda record: {"conversation_history", "prompt_metadata"} <= set(record), order=15,
)
