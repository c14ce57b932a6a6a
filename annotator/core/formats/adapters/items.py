"""The canonical items format (DESIGN section 4): JSONL, a JSON list, or CSV with one item a record."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, with_config
from typing_extensions import Required, TypedDict

from ...model import Item, Record
from ..adapter import Adapter, Context, IdText, NumberText, Text
from ..ids import stable_id
from ..images import resolve_image
from ..rubric_text import split_rubric
from ..streaming import JsonRefused, decode_json
from ..trace_text import split_trace

CSV_COLUMNS = (
    "id", "kind", "source", "prompt", "response", "criteria", "image", "caption", "problem", "trace", "steps",
    "answer", "reference_answer", "model", "domain", "meta",
)


# Units are checked as TypedDicts rather than models: pydantic then checks them without building an object per
# criterion or step (a trace has dozens), and the dicts it returns go on to `Item`, which builds its own units.
@with_config(ConfigDict(extra="forbid", allow_inf_nan=False))
class CriterionIn(TypedDict, total=False):
    id: IdText | None
    text: Required[Text]
    points: float | None
    weight: float | None
    axis: str | None
    tags: list[str]


@with_config(ConfigDict(extra="forbid", allow_inf_nan=False))
class StepIn(TypedDict, total=False):
    id: IdText | None
    text: Required[Text]


def criteria_input(value: Any) -> Any:
    """Criteria may come as objects, as plain strings, or as one rubric text to split."""
    if isinstance(value, str):
        return [c.model_dump(exclude={"id"}) for c in split_rubric(value)]
    if isinstance(value, list):
        return [{"text": v} if isinstance(v, str) else v for v in value]
    return value


def steps_input(value: Any) -> Any:
    if isinstance(value, str):
        return [{"text": s.text} for s in split_trace(value)]
    if isinstance(value, list):
        return [{"text": v} if isinstance(v, str) else v for v in value]
    return value


class ItemIn(BaseModel):
    """One item as written in an items file; checked here, then built into the frozen `Item`."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: IdText | None = None
    kind: Literal["rubric", "caption", "trace"] | None = None
    source: str = ""
    meta: dict[str, Any] = Field(default_factory=dict)
    prompt: str | None = None
    response: str | None = None
    criteria: list[CriterionIn] | None = None
    image: str | None = None
    caption: str | None = None
    model: str | None = None
    problem: str | None = None
    trace: str | None = None
    steps: list[StepIn] | None = None
    answer: NumberText | None = None
    reference_answer: NumberText | None = None
    domain: str | None = None

    _criteria = field_validator("criteria", mode="before")(criteria_input)
    _steps = field_validator("steps", mode="before")(steps_input)


def infer_kind(data: ItemIn) -> str | None:
    """The kind a record without `kind` most plausibly has, from the fields it fills."""
    if data.image is not None or data.caption is not None:
        return "caption"
    if data.problem is not None or data.trace is not None or data.steps is not None:
        return "trace"
    if data.criteria is not None or data.prompt is not None:
        return "rubric"
    return None


_REQUIRED = {
    "rubric": (("criteria",), "a rubric needs 'criteria'"),
    "caption": (("image", "caption"), "a caption item needs 'image' and 'caption'"),
    "trace": (("problem",), "a trace needs 'problem'"),
}


def numbered_units(units: list[CriterionIn] | list[StepIn] | list[dict[str, Any]], prefix: str, field: str,
                   ctx: Context) -> list[dict[str, Any]] | None:
    """Units with the input's ids, else `c1, c2, ...` / `s1, s2, ...` by position; None if ids repeat.
    The dicts are the validator's own fresh copies, so their ids are filled in place."""
    seen: dict[str, int] = {}
    ok = True
    for i, unit in enumerate(units):
        unit_id = unit["id"] = unit.get("id") or f"{prefix}{i + 1}"
        if unit_id in seen:
            ctx.problem(f"{field}[{i}].id", f"id {unit_id!r} is used twice in this item "
                                           f"(also {field}[{seen[unit_id]}])")
            ok = False
        seen[unit_id] = i
    return units if ok else None


def build_item(data: ItemIn, raw: dict[str, Any], ctx: Context, default_source: str = "") -> Item | None:
    """Check what the fields mean together (kind, required fields, image) and build the frozen `Item`."""
    kind = data.kind or infer_kind(data)
    if kind is None:
        ctx.problem("kind", "is missing and cannot be told from the fields (give kind: rubric, caption or trace)")
        return None
    fields, message = _REQUIRED[kind]
    missing = [f for f in fields if getattr(data, f) in (None, "")]
    for name in missing:
        ctx.problem(name, f"is missing: {message}")
    if kind == "trace" and data.steps is None and data.trace is None:
        ctx.problem("trace", "is missing: a trace needs 'trace' (text) or 'steps' (a list)")
        missing.append("trace")
    if kind == "rubric" and data.criteria == []:
        ctx.problem("criteria", "is empty: a rubric needs at least one criterion")
        missing.append("criteria")
    image = None
    if data.image:
        image, why = resolve_image(data.image, ctx.path)
        if why:
            ctx.problem("image", why)
            missing.append("image")
    criteria = numbered_units(data.criteria or [], "c", "criteria", ctx)
    steps_in = data.steps if data.steps is not None else (
        [{"text": s.text} for s in split_trace(data.trace)] if data.trace else [])
    if kind == "trace" and data.trace is not None and data.steps is None and not steps_in:
        ctx.problem("trace", "is empty: no steps to annotate")
        missing.append("trace")
    steps = numbered_units(steps_in, "s", "steps", ctx)
    if missing or criteria is None or steps is None:
        return None
    try:
        return Item(
            id=data.id or stable_id(kind, {k: v for k, v in raw.items() if k != "id"}), kind=kind, source=data.source or default_source,
            meta=data.meta, prompt=data.prompt or "", response=data.response,
            criteria=criteria, image=image, caption=data.caption or "",
            model=data.model, problem=data.problem or "", steps=steps,
            answer=data.answer, reference_answer=data.reference_answer, domain=data.domain,
        )
    except ValidationError as error:
        ctx.log.add_validation(ctx.file, ctx.line, error)
        return None


def _csv_cells(row: dict[str, str], ctx: Context) -> dict[str, Any] | None:
    """A CSV row as the record it stands for: empty cells left out, JSON cells (lists, meta) parsed."""
    record: dict[str, Any] = {}
    ok = True
    for column, cell in row.items():
        if column not in CSV_COLUMNS:
            continue  # reported once for the header
        if not cell.strip():
            continue
        if column == "meta" or (column in ("criteria", "steps") and cell.lstrip().startswith("[")):
            what = "a JSON object" if column == "meta" else "a JSON list (or plain text to split)"
            try:
                value, end = decode_json(cell, len(cell) - len(cell.lstrip()))
                if cell[end:].strip():
                    raise json.JSONDecodeError("Extra data", cell, end)
                record[column] = value
            except json.JSONDecodeError as error:
                ctx.problem(column, f"should be {what}; invalid JSON at column {error.colno}: {error.msg}")
                ok = False
                continue
            except JsonRefused as error:
                ctx.problem(column, f"should be {what}; invalid JSON: {error}")
                ok = False
                continue
        else:
            record[column] = cell
    return record if ok else None


def convert_item(raw: dict[str, Any], ctx: Context) -> Record | None:
    if ctx.from_csv:
        cells = _csv_cells(raw, ctx)
        if cells is None:
            return None
        raw = cells
    data = ctx.check(ItemIn, raw)
    if data is None:
        return None
    item = build_item(data, raw, ctx)
    return Record(item=item, line=ctx.line) if item else None


_ITEM_FIELDS = ("kind", "criteria", "prompt", "image", "caption", "problem", "trace", "steps")

ADAPTER = Adapter(
    name="items", description="items in the canonical shape (JSONL, JSON list or CSV)", convert=convert_item,
    fields=_ITEM_FIELDS, detect=lambda record: bool(set(record) & set(_ITEM_FIELDS)), order=90,
    csv_columns=CSV_COLUMNS,
)
