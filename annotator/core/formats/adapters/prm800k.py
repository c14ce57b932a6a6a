"""PRM800K (`prm800k`): one labeler's step ratings of one solution to a MATH problem.

Every labeler of a solution rates the same item: its id comes from the problem and the solution's steps, never
from the labeler, the timestamp or the ratings, so the records of two labelers meet on one item and their
ratings can be compared. In phase 2 the solution is `question.pre_generated_steps` (the same for every labeler,
whichever step each stopped at); in phase 1 it is the path the labeler walked: at each step the chosen
completion, else the labeler's own `human_completion`. A rating belongs to the text that was rated, so a step
shows the rated completion and a human-written step carries no rating.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from ...model import Item, Label, Record, Step
from ...targets import step as step_target
from ..adapter import Adapter, Context, NumberText, Open, Text
from ..ids import stable_id
from ..step_ratings import RATING_LABEL, STEP_RATING


class PrmCompletion(Open):
    text: str
    rating: Literal[-1, 0, 1] | None = None


class PrmHumanCompletion(Open):
    text: str


class PrmStep(Open):
    completions: list[PrmCompletion] = Field(min_length=1)
    human_completion: PrmHumanCompletion | str | None = None
    chosen_completion: int | None = None


class PrmLabel(Open):
    steps: list[PrmStep] = Field(min_length=1)
    finish_reason: str | None = None


class PrmQuestion(Open):
    problem: Text
    ground_truth_answer: NumberText | None = None
    pre_generated_answer: NumberText | None = None
    pre_generated_steps: list[str] | None = None


class PrmRecord(Open):
    labeler: str | None = None
    timestamp: datetime | None = None
    question: PrmQuestion
    label: PrmLabel


def _shown(step: PrmStep, where: str, ctx: Context) -> tuple[str, int | None] | None:
    """The text shown for one rated step and the rating it got; None after reporting a bad index."""
    chosen = step.chosen_completion
    if chosen is not None:
        if not 0 <= chosen < len(step.completions):
            ctx.problem(f"{where}.chosen_completion", f"is {chosen} but the step has {len(step.completions)} "
                                                      "completions")
            return None
        return step.completions[chosen].text, step.completions[chosen].rating
    human = step.human_completion
    if human is not None:
        return (human if isinstance(human, str) else human.text), None
    # no choice made: the labeler stopped here (an error found, or gave up) after rating what was offered
    return step.completions[0].text, step.completions[0].rating


def convert_prm800k(raw: dict[str, Any], ctx: Context) -> Record | None:
    data = ctx.check(PrmRecord, raw)
    if data is None:
        return None
    walked: list[tuple[str, int | None]] = []
    for i, step in enumerate(data.label.steps):
        shown = _shown(step, f"label.steps[{i}]", ctx)
        if shown is None:
            return None
        walked.append(shown)
    question = data.question
    if question.pre_generated_steps:
        texts = list(question.pre_generated_steps)
        # a rating counts where the labeler rated the pre-generated step itself, not an alternative to it
        ratings = [(i, r) for i, (text, r) in enumerate(walked) if i < len(texts) and text == texts[i]]
    else:
        texts = [text for text, _ in walked]
        ratings = list(enumerate(r for _, r in walked))
    steps = tuple(Step(id=f"s{i + 1}", text=t) for i, t in enumerate(texts))
    solution = {k: v for k, v in question.model_dump().items() if k not in ("problem", "ground_truth_answer")}
    meta = {**{k: v for k, v in data.extra().items()}, **{k: v for k, v in solution.items() if v is not None}}
    meta.pop("pre_generated_steps", None)  # they are the steps
    item_id = stable_id("trace", {"problem": question.problem, "steps": texts})
    item = Item(
        id=item_id, kind="trace", source="prm800k", meta=meta, problem=question.problem, steps=steps,
        answer=question.pre_generated_answer, reference_answer=question.ground_truth_answer,
    )
    annotator = data.labeler or "prm800k"
    labels = tuple(
        Label(item_id=item_id, taxonomy=STEP_RATING, annotator=annotator, target=step_target(f"s{i + 1}"),
              label=RATING_LABEL[rating], created_at=data.timestamp)
        for i, rating in ratings if rating is not None
    )
    return Record(item=item, labels=labels, line=ctx.line, shared=True)


def _is_prm800k(record: dict[str, Any]) -> bool:
    return isinstance(record.get("question"), dict) and isinstance(record.get("label"), dict)


ADAPTER = Adapter(
    name="prm800k", description="PRM800K step-rated solutions, one item per solution, one annotator per labeler",
    convert=convert_prm800k, fields=("question", "label"), detect=_is_prm800k, order=10,
)
