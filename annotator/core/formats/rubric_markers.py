"""Markers that rubric authors write inside a criterion's text, read into the criterion's fields.

Recognised, in square brackets or (for numbers only) round ones, comma- or semicolon-separated:
- `weight 2.0`, `weight: 2` -> weight as written.
- `importance: 95/100` -> weight 0.95. We chose the fraction because importance is written out of a maximum and
  a 0-1 weight compares across rubrics that use different maxima; `importance: 0.8` (no maximum) stays 0.8.
- `5 points`, `+3`, `-2 pts` -> points (a bare number only inside square brackets).
- `axis: Accuracy` -> axis. A words-only part next to a weight or points, as in `[Implicit Criteria, weight 2.0]`,
  is the axis too.
- A bracket holding only words, such as `[Hard Rule]` or `[Principle]`, gives tags.
- `... - 5 points` at the end, or `5 points: ...` at the start, also give points.
A bracket with anything else in it (`[sic]` is words, so it is a tag only when capitalised) is left in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBER = r"[+\-−]?\d+(?:\.\d+)?"
_WEIGHT = re.compile(rf"^weight\s*[:=]?\s*({_NUMBER})$", re.I)
_IMPORTANCE = re.compile(rf"^importance\s*[:=]?\s*({_NUMBER})\s*(?:/\s*({_NUMBER}))?$", re.I)
_POINTS_UNIT = re.compile(rf"^({_NUMBER})\s*(?:points?|pts?\.?)$", re.I)
_POINTS_SIGNED = re.compile(r"^([+\-−]\d+(?:\.\d+)?)$")
_POINTS_BARE = re.compile(rf"^({_NUMBER})$")
_AXIS = re.compile(r"^axis\s*[:=]\s*(.+)$", re.I)
_WORDS = re.compile(r"^[A-Z][A-Za-z0-9&/' \-]{0,48}$")
MARKER_GROUP = re.compile(r"\[([^\[\]\n]{1,100})\](?!\()|\(([^()\n]{1,100})\)")
_TRAILING_POINTS = re.compile(rf"\s+[-–—:]\s*\(?({_NUMBER})\s*(?:points?|pts?)\)?\.?\s*$", re.I)
_LEADING_POINTS = re.compile(rf"^\(?({_NUMBER})\s*(?:points?|pts?)\)?\s*[:\-–—]\s*", re.I)
_KEPT = "\x00"  # tags a bracket left in place, so only real removals count
_CHECKBOX = re.compile(r"^\[[ xX✓]?\]\s+")


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


@dataclass
class Markers:
    points: float | None = None
    weight: float | None = None
    axis: str | None = None
    tags: list[str] = field(default_factory=list)


def read_group(content: str, square: bool) -> Markers | None:
    """The markers in one bracket's content, or None when the bracket is ordinary text."""
    found = Markers()
    words: list[str] = []
    numeric = False
    for part in (p.strip() for p in re.split(r"[,;]", content)):
        if not part:
            return None
        if m := _WEIGHT.match(part):
            found.weight, numeric = _number(m[1]), True
        elif m := _IMPORTANCE.match(part):
            value = _number(m[1])
            found.weight, numeric = (value / _number(m[2]) if m[2] and _number(m[2]) else value), True
        elif m := (_POINTS_UNIT.match(part) or _POINTS_SIGNED.match(part) or (square and _POINTS_BARE.match(part))):
            found.points, numeric = _number(m[1]), True
        elif m := _AXIS.match(part):
            found.axis = m[1].strip()
        elif square and _WORDS.match(part):
            words.append(part)
        else:
            return None
    if numeric and len(words) == 1 and found.axis is None:
        found.axis = words[0]
    elif words and numeric:
        return None
    else:
        found.tags = words
    return found


def extract_markers(text: str) -> tuple[str, Markers]:
    """Take the markers out of a criterion's text; return the cleaned text and what they said."""
    out = Markers()
    text = _CHECKBOX.sub("", text.replace(_KEPT, "").strip())

    def take(match: re.Match[str]) -> str:
        square = match.group(1) is not None
        got = read_group(match.group(1) if square else match.group(2), square)
        if got is None:
            return match.group(0) + _KEPT
        out.points = got.points if got.points is not None else out.points
        out.weight = got.weight if got.weight is not None else out.weight
        out.axis = got.axis or out.axis
        out.tags.extend(t for t in got.tags if t not in out.tags)
        return " "

    text, removed = MARKER_GROUP.subn(take, text)
    removed -= text.count(_KEPT)
    text = text.replace(_KEPT, "")
    if out.points is None:
        for pattern in (_TRAILING_POINTS, _LEADING_POINTS):
            m = pattern.search(text)
            if m:
                out.points = _number(m[1])
                text = text[: m.start()] + " " + text[m.end():]
                removed += 1
                break
    text = re.sub(r"[ \t]+", " ", text).strip()
    if removed:  # tidy what a removed marker left behind: doubled spaces, a space before a stop, a dangling colon
        text = re.sub(r" +([.,;:!?])", r"\1", text)
        text = text.lstrip("-–—:,;|").rstrip("-–—,;|:").strip()
    return text, out
