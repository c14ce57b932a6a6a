"""ProcessBench (`processbench`): a trace with the index of its earliest wrong step (-1: none is wrong)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...model import Item, Label, Record, Step
from ...targets import step as step_target
from ..adapter import Adapter, Context, IdText, Open, Text
from ..ids import stable_id
from ..step_ratings import STEP_RATING


class ProcessBenchRecord(Open):
    id: IdText | None = None
    generator: str | None = None
    problem: Text
    steps: list[Text] = Field(min_length=1)
    final_answer_correct: bool | None = None
    label: int


def convert_processbench(raw: dict[str, Any], ctx: Context) -> Record | None:
    """One ProcessBench trace: steps before the earliest wrong one rated "+1", that one "-1", none after it;
    label -1 (no wrong step) rates every step "+1"."""
    data = ctx.check(ProcessBenchRecord, raw)
    if data is None:
        return None
    if not -1 <= data.label < len(data.steps):
        ctx.problem("label", f"is {data.label}, but it must be -1 (no wrong step) or a step index from 0 to "
                             f"{len(data.steps) - 1}")
        return None
    steps = tuple(Step(id=f"s{i + 1}", text=t) for i, t in enumerate(data.steps))
    meta: dict[str, Any] = {"first_error_step": data.label}
    if data.final_answer_correct is not None:
        meta["final_answer_correct"] = data.final_answer_correct
    item = Item(
        id=data.id or stable_id("trace", raw), kind="trace", source="processbench", meta=meta,
        problem=data.problem, steps=steps, model=data.generator,
    )
    last = len(steps) if data.label == -1 else data.label + 1
    labels = tuple(
        Label(item_id=item.id, taxonomy=STEP_RATING, annotator="processbench", target=step_target(s.id),
              label="-1" if i == data.label else "+1")
        for i, s in enumerate(steps[:last])
    )
    return Record(item=item, labels=labels, line=ctx.line)


def _is_processbench(record: dict[str, Any]) -> bool:
    label = record.get("label")
    return {"problem", "steps"} <= set(record) and isinstance(label, int) and not isinstance(label, bool)


ADAPTER = Adapter(
    name="processbench", description="ProcessBench traces with the earliest wrong step",
    convert=convert_processbench, fields=("problem", "steps", "label"), detect=_is_processbench, order=30,
)
