"""Plain data objects that cross every boundary: readers produce them, the store keeps them, views show them.

They are frozen pydantic models, never ORM rows, so the GUI and the statistics cannot reach into a session.
The words (item, kind, target, unit, label, gold, prediction) are the ones of DESIGN section 3.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ItemKind = Literal["rubric", "caption", "trace"]
ITEM_KINDS: tuple[str, ...] = ("rubric", "caption", "trace")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(Frozen):
    """One scored line of a rubric (or of a caption's rubric)."""

    id: str
    text: str
    points: float | None = None
    weight: float | None = None
    axis: str | None = None
    tags: tuple[str, ...] = ()


class Step(Frozen):
    """One step of a reasoning trace."""

    id: str
    text: str


class Item(Frozen):
    """One thing to annotate. Fields that do not belong to the item's kind stay empty.

    rubric: prompt, criteria, response.  caption: image, caption, criteria, model.
    trace: problem, steps, answer, reference_answer, model, domain.
    """

    id: str
    kind: ItemKind
    source: str = ""
    meta: dict[str, Any] = Field(default_factory=dict)
    prompt: str = ""
    response: str | None = None
    criteria: tuple[Criterion, ...] = ()
    image: str | None = None  # absolute path on disk after import; never a URL
    caption: str = ""
    model: str | None = None
    problem: str = ""
    steps: tuple[Step, ...] = ()
    answer: str | None = None
    reference_answer: str | None = None
    domain: str | None = None

    @property
    def title(self) -> str:
        """A one-line text to show in lists."""
        text = self.prompt or self.caption or self.problem
        return " ".join(text.split())[:200]

    @property
    def units(self) -> tuple[Criterion, ...] | tuple[Step, ...]:
        return self.steps if self.kind == "trace" else self.criteria

    def field_text(self, field: str) -> str | None:
        """The text a span target's `field` points into (DESIGN section 3), or None when there is none."""
        if field == "prompt":
            return self.prompt
        if field == "caption":
            return self.caption
        if field == "trace":
            return "\n\n".join(s.text for s in self.steps)
        if field == "problem":
            return self.problem
        for step in self.steps:
            if step.id == field:
                return step.text
        for crit in self.criteria:
            if crit.id == field:
                return crit.text
        return None


class Label(Frozen):
    """One label given by one annotator on one target of one item, in one taxonomy."""

    item_id: str
    taxonomy: str
    annotator: str
    target: str
    label: str
    note: str = ""
    created_at: datetime | None = None


class Prediction(Frozen):
    """What an automated metric said about a unit: a label with a score in [0, 1]."""

    item_id: str
    taxonomy: str
    metric: str
    target: str
    label: str
    score: float = 1.0


class Gold(Frozen):
    """The adjudicated answer for one unit: the set of labels that are on it (empty: none applies)."""

    item_id: str
    taxonomy: str
    target: str
    labels: tuple[str, ...]
    reviewer: str = ""


class Record(Frozen):
    """What a reader yields for one input record: the item, plus labels the format itself carries
    (PRM800K step ratings, ProcessBench first-error marks). `line` is the 1-based line the record started on."""

    item: Item
    labels: tuple[Label, ...] = ()
    line: int = 0
    shared: bool = False  # several records may give this item (one per labeler, as in PRM800K): each adds labels
