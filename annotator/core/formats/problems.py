"""Collecting every problem of one input file, so a user can fix the whole file in one pass.

Readers keep going after a bad record; the log only asks them to stop once it holds so many problems that more
would bury the first ones.
"""

from __future__ import annotations

from pydantic import ValidationError

from ..errors import Problem

MAX_PROBLEMS = 100


class TooManyProblems(Exception):
    """Raised by the log when it is full; the reader stops and reports what it has."""


class ProblemLog:
    """The problems found so far in one or more files, capped at `limit`."""

    def __init__(self, limit: int = MAX_PROBLEMS):
        self.limit = limit
        self.problems: list[Problem] = []
        self.truncated = False

    def __bool__(self) -> bool:
        return bool(self.problems)

    def add(self, file: str, line: int, field: str, message: str) -> None:
        if len(self.problems) >= self.limit:
            self.truncated = True
            raise TooManyProblems
        self.problems.append(Problem(file, line, field, message))

    def add_validation(self, file: str, line: int, error: ValidationError, prefix: str = "") -> None:
        for detail in error.errors():
            field = join_location(prefix, detail.get("loc", ()))
            self.add(file, line, field, explain(detail))

    def final(self, file: str) -> list[Problem]:
        """The problems, with a closing note when reading stopped early."""
        if not self.truncated:
            return list(self.problems)
        note = Problem(file, 0, "", f"stopped after {self.limit} problems; fix these and check the file again")
        return [*self.problems, note]


def join_location(prefix: str, loc: tuple) -> str:
    """`("criteria", 2, "text")` -> `criteria[2].text`, the way the field is reached in the JSON."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


_TYPE_NAMES = {
    dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false",
    type(None): "null",
}


def describe(value: object) -> str:
    """How a JSON value is called in messages: 'a list', 'null'..."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def explain(detail: dict) -> str:
    """A pydantic error detail in plain words; pydantic's own wording is kept where it is already plain."""
    kind = detail.get("type", "")
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a field of this format (put extra data under meta)"
    message = str(detail.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    if kind.endswith("_type") or kind in ("literal_error", "model_type", "dict_type", "list_type"):
        return f"{message[0].lower()}{message[1:]}, got {describe(detail.get('input'))}"
    return message[0].lower() + message[1:] if message else message
