"""What every format adapter shares: the record's context (file, line, problem log) and input-model checking.

An adapter turns one parsed record (a dict from JSON, or a CSV row) into a `Record`, or reports why it cannot.
Input models are pydantic models of the published shape, kept apart from the frozen `Item` so that a format's
quirks never leak into the data model. Each format is one module of the `adapters` package declaring `ADAPTER`:
its name, how `--format auto` recognises it, and its CSV columns if it reads CSV; the registry finds it there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from ..model import Item, Record
from .problems import ProblemLog

M = TypeVar("M", bound=BaseModel)


@dataclass
class Context:
    """Where the record being converted comes from, and where its problems go."""

    path: Path
    line: int
    log: ProblemLog
    from_csv: bool = False

    @property
    def file(self) -> str:
        return str(self.path)

    def problem(self, field: str, message: str) -> None:
        self.log.add(self.file, self.line, field, message)

    def check(self, model: type[M], raw: Any, prefix: str = "") -> M | None:
        """The record validated by `model`, or None after logging every error pydantic found."""
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            self.log.add_validation(self.file, self.line, error, prefix)
            return None


@dataclass(frozen=True)
class Adapter:
    """One input format: its `--format` name, how one record becomes a `Record`, and how it is recognised.

    `fields` names what identifies the format (shown in help and docs); `detect(record)` says whether a parsed
    record has that shape. Adapters are asked in `order` (lower first), so a narrow shape is tried before a
    broad one that would also fit. `csv_columns` is empty for formats read only from JSON or JSONL.
    """

    name: str
    description: str
    convert: Callable[[dict[str, Any], Context], Record | None]
    fields: tuple[str, ...]
    detect: Callable[[dict[str, Any]], bool]
    order: int = 50
    csv_columns: tuple[str, ...] = ()

    @property
    def reads_csv(self) -> bool:
        return bool(self.csv_columns)


class Open(BaseModel):
    """A published record: it carries more fields than we use; those are allowed and kept where useful."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    def extra(self) -> dict[str, Any]:
        """The record's fields that the model does not name, as they were given."""
        return dict(self.__pydantic_extra__ or {})


def rubric_item(given_id: str | None, raw: dict[str, Any], source: str, prompt: str, criteria: list,
                meta: dict[str, Any]) -> Item:
    """A rubric item; without an id in the file, one derived from the record's content (stable across imports)."""
    from .ids import stable_id

    return Item(id=given_id or stable_id("rubric", raw), kind="rubric", source=source, meta=meta, prompt=prompt,
                criteria=tuple(criteria))


def split_criteria(text: str, field: str, ctx: Context, what: str = "criterion") -> list | None:
    """The criteria of a rubric given as one text, or None after reporting a text that holds none."""
    from .rubric_text import split_rubric

    criteria = split_rubric(text)
    if not criteria:
        ctx.problem(field, f"holds no {what}")
        return None
    return criteria


def json_text(value: Any) -> Any:
    """A field published either as JSON or as that JSON written into a string (as some data set viewers
    export it): the string is decoded; anything that does not decode is left for validation to report."""
    from .streaming import decode_json

    if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
        try:
            decoded, end = decode_json(value, len(value) - len(value.lstrip()))
        except ValueError:
            return value
        return decoded if not value[end:].strip() else value
    return value


def _number_as_text(value: Any) -> Any:
    """Ids and answers are often numbers in published files (42, 3.5); keep them as their text."""
    if isinstance(value, bool):
        return value  # let the str check reject it: true is not an id
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _non_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("is empty")
    return value


JsonOrText = BeforeValidator(json_text)
IdText = Annotated[str, BeforeValidator(_number_as_text), BeforeValidator(_non_blank)]
NumberText = Annotated[str, BeforeValidator(_number_as_text)]
Text = Annotated[str, BeforeValidator(_non_blank)]
