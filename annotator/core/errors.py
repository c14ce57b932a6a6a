"""The small family of errors the core raises, so the command line and the app can answer each one plainly."""

from __future__ import annotations

class Problem:
    """One thing wrong with an input file, located as `file:line: field: message`.

    A frozen value, written out by hand rather than as a dataclass: the command line imports this module at
    start-up, and `dataclasses` (with `inspect` behind it) would be most of what `annotator --version` loads."""

    __slots__ = ("file", "line", "field", "message")
    file: str
    line: int
    field: str
    message: str

    def __init__(self, file: str, line: int, field: str, message: str):
        for name, value in zip(self.__slots__, (file, line, field, message)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Problem cannot be changed (tried to set {name})")

    def _key(self) -> tuple:
        return (self.file, self.line, self.field, self.message)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Problem) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple:  # copies and pickles (problems cross process boundaries) rebuild it whole
        return Problem, self._key()

    def __repr__(self) -> str:
        return f"Problem(file={self.file!r}, line={self.line!r}, field={self.field!r}, message={self.message!r})"

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


class TaxonomyClash(AnnotatorError):
    """A taxonomy may not replace the one of its id that a project holds (a built-in's id, changed)."""

    def __init__(self, taxonomy_id: str, message: str):
        super().__init__(message)
        self.taxonomy_id = taxonomy_id
