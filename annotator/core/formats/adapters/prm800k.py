"""Trace formats that carry their own step labels: PRM800K step ratings and ProcessBench first-error marks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..model import Item, Label, Record, Step
from ..targets import step as step_target
from .adapter import Context, IdText, NumberText, Text
from .ids import stable_id

STEP_RATING = "step_rating"
_RATING_LABEL = {-1: "-1", 0: "0", 1: "+1"}


class _Open(BaseModel):
    """Published records carry more fields than we use; those are allowed and ignored."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


class PrmCompletion(_Open):
    text: str
    rating: Literal[-1, 0, 1] | None = None


class PrmStep(_Open):
    completions: list[PrmCompletion] = Field(min_length=1)
    chosen_completion: int | None = None


class PrmLabel(_Open):
    steps: list[PrmStep] = Field(min_length=1)
    finish_reason: str | None = None


class PrmQuestion(_Open):
    problem: Text
    ground_truth_answer: NumberText | None = None
    pre_generated_answer: NumberText | None = None


class PrmRecord(_Open):
    labeler: str | None = None
    question: PrmQuestion
    label: PrmLabel
    generation: int | None = None


def convert_prm800k(raw: dict[str, Any], ctx: Context) -> Record | None:
    """One PRM800K labelled solution: the chosen (else first) completion of each step becomes the step, and its
    rating a `step_rating` label of the labeler (a null rating gives none). A human-written replacement is not
    used: the rating the labeler gave belongs to the completion they rated."""
    data = ctx.check(PrmRecord, raw)
    if data is None:
        return None
    steps: list[Step] = []
    ratings: list[tuple[str, int]] = []
    ok = True
    for i, step in enumerate(data.label.steps):
        sid = f"s{len(steps) + 1}"
        chosen = step.chosen_completion
        if chosen is not None and not 0 <= chosen < len(step.completions):
            ctx.problem(f"label.steps[{i}].chosen_completion",
                        f"is {chosen} but the step has {len(step.completions)} completions")
            ok = False
            continue
        completion = step.completions[chosen or 0]
        steps.append(Step(id=sid, text=completion.text))
        if completion.rating is not None:
            ratings.append((sid, completion.rating))
    if not ok:
        return None
    annotator = data.labeler or "prm800k"
    meta = {k: raw[k] for k in ("labeler", "generation", "timestamp", "is_quality_control_question") if k in raw}
    if data.label.finish_reason:
        meta["finish_reason"] = data.label.finish_reason
    item = Item(
        id=stable_id("trace", raw), kind="trace", source="prm800k", meta=meta, problem=data.question.problem,
        steps=tuple(steps), answer=data.question.pre_generated_answer,
        reference_answer=data.question.ground_truth_answer,
    )
    labels = tuple(
        Label(item_id=item.id, taxonomy=STEP_RATING, annotator=annotator, target=step_target(sid),
              label=_RATING_LABEL[rating])
        for sid, rating in ratings
    )
    return Record(item=item, labels=labels, line=ctx.line)


class ProcessBenchRecord(_Open):
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
