"""Reading a judge's answer (DESIGN section 6): `{"labels": [{"label", "target", "quote"}]}`.

Models wrap JSON in prose or code fences and invent labels or targets; the answer is validated with pydantic
and every entry is checked against the taxonomy and the item, so a bad entry is reported and dropped rather
than stored as a prediction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..model import Item
from ..targets import parse_target
from ..taxonomy import Taxonomy
from ..stats.data import map_span_to_units


class JudgeLabel(BaseModel):
    """One label the judge gave."""

    model_config = ConfigDict(extra="ignore")

    label: str = Field(min_length=1)
    target: str | None = "item"  # left out or null: the item itself
    quote: str = ""


class JudgeAnswer(BaseModel):
    """A whole answer; extra keys (a model's "reasoning", say) are ignored."""

    model_config = ConfigDict(extra="ignore")

    labels: list[JudgeLabel]


class AnswerError(ValueError):
    """The answer as a whole could not be read: the vote counts as no answer."""


@dataclass
class ParsedAnswer:
    """The (target, label) pairs a vote gave on units, and what was wrong with the entries left out."""

    given: set[tuple[str, str]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


_FENCED = re.compile(r"```(?:json|JSON)?\s*\n(.*?)\n?```", re.DOTALL)


def extract_json(text: str) -> object:
    """The JSON object in a reply: the whole reply, else a fenced block, else the outermost braces."""
    text = text.strip()
    candidates = [text]
    candidates += [m.group(1) for m in _FENCED.finditer(text)]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first:last + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise AnswerError(f"no JSON object in the answer: {text[:120]!r}")


def _units_of(item: Item) -> dict[str, set[str]]:
    return {"item": {"item"}, "criterion": {f"criterion:{c.id}" for c in item.criteria},
            "step": {f"step:{s.id}" for s in item.steps}}


def parse_answer(text: str, taxonomy: Taxonomy, item: Item) -> ParsedAnswer:
    """Validate one reply; raise AnswerError when it is not an answer at all.

    Each entry must name a label of the taxonomy and a target that exists on the item and is of the label's
    target kind. A span target counts on the unit it lies in (DESIGN section 3), for labels that allow spans.
    In a single-choice taxonomy a unit given more than one label is an error and keeps none.
    """
    try:
        answer = JudgeAnswer.model_validate(extract_json(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise AnswerError(f"answer does not follow the schema: {where}: {first['msg']}") from None
    known = {lab.id: lab for lab in taxonomy.labels}
    units = _units_of(item)
    out = ParsedAnswer()
    for n, entry in enumerate(answer.labels):
        lab = known.get(entry.label)
        if lab is None:
            out.errors.append(f"labels[{n}]: unknown label {entry.label!r}")
            continue
        try:
            target = parse_target(entry.target)
        except ValueError as exc:
            out.errors.append(f"labels[{n}]: {exc}")
            continue
        if target.kind == "span":
            if not lab.spans:
                out.errors.append(f"labels[{n}]: {lab.id!r} is not given on spans")
                continue
            text_of = item.field_text(target.ref)
            if text_of is None or target.end > len(text_of):
                out.errors.append(f"labels[{n}]: span {entry.target!r} is not inside a field of the item")
                continue
            steps = [(s.id, s.text) for s in item.steps]
            hits = map_span_to_units(steps, target.ref, target.start, target.end, lab.target)
            if not hits:
                out.errors.append(f"labels[{n}]: span {entry.target!r} lies on no {lab.target} of the item")
            out.given.update((unit, lab.id) for unit in hits)
            continue
        unit = str(target)
        if target.kind != lab.target:
            out.errors.append(f"labels[{n}]: {lab.id!r} is given on the {lab.target}, not on {unit!r}")
        elif unit not in units[target.kind]:
            out.errors.append(f"labels[{n}]: item {item.id!r} has no target {unit!r}")
        else:
            out.given.add((unit, lab.id))
    if taxonomy.choice == "single":
        per_unit: dict[str, list[str]] = {}
        for unit, label in out.given:
            per_unit.setdefault(unit, []).append(label)
        for unit, labels in sorted(per_unit.items()):
            if len(labels) > 1:
                out.errors.append(f"{unit}: one label expected, got {', '.join(sorted(labels))}")
                out.given -= {(unit, label) for label in labels}
    return out
