"""What every format adapter shares: the record's context (file, line, problem log) and input-model checking.

An adapter turns one parsed record (a dict from JSON, or a CSV row) into a `Record`, or reports why it cannot.
Input models are pydantic models of the published shape, kept apart from the frozen `Item` so that a format's
quirks never leak into the data model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

from ..model import Record
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
    """One input format: its name, what it reads, and how one record becomes a `Record`."""

    name: str
    description: str
    convert: Callable[[dict[str, Any], Context], Record | None]
    reads_csv: bool = False


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


IdText = Annotated[str, BeforeValidator(_number_as_text), BeforeValidator(_non_blank)]
NumberText = Annotated[str, BeforeValidator(_number_as_text)]
Text = Annotated[str, BeforeValidator(_non_blank)]
