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
        """Every error pydantic found. For a field allowed several shapes (a list of messages, or a text), the
        errors of the shape the input has are kept; when it has none of them, one message names the shapes."""
        rows = _resolve([(order, tuple(d.get("loc", ())), d) for order, d in enumerate(error.errors())], 0)
        for _, loc, message in sorted(rows, key=lambda row: row[0]):
            self.add(file, line, join_location(prefix, loc), message)

    def final(self, file: str) -> list[Problem]:
        """The problems, with a closing note when reading stopped early."""
        if not self.truncated:
            return list(self.problems)
        note = Problem(file, 0, "", f"stopped after {self.limit} problems; fix these and check the file again")
        return [*self.problems, note]


_SCALAR_TAGS = {"str", "int", "float", "bool", "function-before[_non_blank(), str]",
                "function-before[_non_blank(), function-before[_number_as_text(), str]]"}


def _is_tag(part: object) -> bool:
    """Whether a pydantic location part names a shape of a union (`list[Message]`, `str`) rather than a field."""
    return isinstance(part, str) and ("[" in part or part in _SCALAR_TAGS or part[:1].isupper())


def _resolve(errors: list[tuple[int, tuple, dict]], start: int) -> list[tuple[int, tuple, str]]:
    """(order, location, message) for each error, choosing among union members from location index `start` on."""
    groups: dict[tuple, dict[str, list[tuple[int, tuple, dict]]]] = {}
    rows: list[tuple[int, tuple, str]] = []
    for order, loc, detail in errors:
        cut = next((i for i in range(start, len(loc)) if _is_tag(loc[i])), None)
        if cut is None:
            rows.append((order, loc, explain(detail)))
        else:
            groups.setdefault(loc[:cut], {}).setdefault(str(loc[cut]), []).append((order, loc, detail))
    for base, branches in groups.items():
        fitting = {tag: errs for tag, errs in branches.items()
                   if not _shape_mismatch(base, tag, [d for _, _, d in errs])}
        if fitting:
            for errs in fitting.values():
                rows.extend(_resolve(errs, len(base) + 1))
        else:
            first = min(order for errs in branches.values() for order, _, _ in errs)
            value = next(iter(branches.values()))[0][2].get("input")
            shapes = " or ".join(dict.fromkeys(_shape_name(tag) for tag in branches))
            rows.append((first, base, f"should be {shapes}, got {describe(value)}"))
    return rows


def _shape_mismatch(base: tuple, tag: str, errors: list[dict]) -> bool:
    """Whether the input simply is not of this union member's shape (one type error at the member's root)."""
    if len(errors) != 1:
        return False
    detail = errors[0]
    at_root = tuple(detail.get("loc", ())) == (*base, tag)
    return at_root and (detail.get("type", "").endswith("_type") or detail.get("type") == "model_attributes_type")


def _shape_name(tag: str) -> str:
    if tag.startswith("list["):
        return "a list"
    if tag.startswith("dict[") or tag[:1].isupper():
        return "an object"
    if tag in ("int", "float"):
        return "a number"
    return "a string"


def join_location(prefix: str, loc: tuple) -> str:
    """`("criteria", 2, "text")` -> `criteria[2].text`, the way the field is reached in the JSON."""
    out = prefix
    for part in loc:
        if _is_tag(part):
            continue
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
