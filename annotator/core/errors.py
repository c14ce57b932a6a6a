"""The small family of errors the core raises, so the command line and the app can answer each one plainly."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as `file:line: field: message`."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class AnnotatorError(Exception):
    """Base of every error the core raises on purpose."""


class InputError(AnnotatorError):
    """An input file (items, labels, predictions, taxonomy) is bad; nothing was written.

    Carries every problem found, not just the first, so a user can fix a file in one pass.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NotFound(AnnotatorError):
    """An item, taxonomy, annotator or metric named by the user is not in the project."""


class UsageError(AnnotatorError):
    """The request itself does not make sense (a label not in the taxonomy, a target of the wrong kind...)."""
