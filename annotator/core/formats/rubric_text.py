"""Splitting a rubric written as one text into criteria (DESIGN section 4).

Rubrics arrive as bullet lists, numbered lists (also with the numbers running on one line), lists with section
headings, nested lists, or plain paragraphs. The rules, in order:
- A line that opens with a bullet (-, *, •, –, —, ◦, ▪) or a number/letter ("1." "1)" "(1)" "a)" "(a)" "a." "Q1:")
  starts a criterion, unless it is nested: indented deeper than the first item, of another marker family than the
  first item (letters under numbers), or a numbering that restarts below the last number (and then continues).
  A nested list ends where the outer numbering resumes: after "2) ... 1) ... 2) ...", a "3)" is the next
  criterion unless a later "3)" of the same list shows that this one still counts the nested items.
  Nested lines stay, marker and all, on their own line inside the parent criterion.
- Numbers running inline ("1. Mentions X 2. Cites Y 3) Gives Z") are split when they count up by one, starting
  at the line's own number, or at 1 after a lead-in ending with ':'.
- A line without a marker continues the criterion above it; after a blank line, an unindented short line ending
  with ':' (or a markdown heading) is a section heading and becomes the axis of the criteria under it.
- Headings that only announce the rubric ("Rubric:", "## Evaluation criteria") and lead-ins before the first item
  that end with ':' are dropped.
- Without any list, each paragraph is one criterion (one paragraph: one criterion).
Markers anywhere in a criterion (its own line, its continuations, the end of its nested block) become its points,
weight, axis and tags (see `rubric_markers`); the criterion's own line wins where both give one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Criterion
from .rubric_markers import MARKER_GROUP, extract_markers, read_group

_MARKER = re.compile(
    r"""^(?P<indent>[ \t]*)(?:
        (?P<bullet>[-*•–—◦▪‣])
      | (?P<num>\d{1,3})[.)](?!\d)
      | \((?P<pnum>\d{1,3})\)
      | (?P<letter>[a-zA-Z])\)
      | \((?P<pletter>[a-zA-Z])\)
      | (?P<dletter>[a-z])\.
      | (?P<qprefix>Q|C|R)(?P<qnum>\d{1,3})[:.)]
      | (?:Criterion|Item|Requirement|Question|Check)\s+(?P<wnum>\d{1,3})[:.)]
    )[ \t]+(?P<text>\S.*)$""",
    re.X,
)
_INLINE = re.compile(
    r"(?:(?<=\s)|^)(?:(?P<num>\d{1,3})[.)]|\((?P<pnum>\d{1,3})\)|(?P<letter>[a-z])\)|\((?P<pletter>[a-z])\)"
    r"|Q(?P<qnum>\d{1,3})[:.)])(?=\s)"
)
_ANNOUNCE = re.compile(
    r"^(?:#+\s*)?(?:\*\*)?\s*(?:the\s+)?(?:(?:grading|scoring|evaluation|assessment|marking|review)\s+)?"
    r"(?:rubric|rubrics|criteria|criterion list|checklist|requirements|rubric items|grading guide)"
    r"(?:\s+items)?\s*(?:\([^)]*\))?\s*:?\s*(?:\*\*)?\s*:?$",
    re.I,
)
_HEADING = re.compile(r"^(?:#{1,6}\s+(?P<md>.+?)|\*\*(?P<bold>[^*]+?)\*\*:?|(?P<colon>[^:]{1,60}):)\s*$")
# words that mark a sentence leading into the list ("The response should:", "Check that the caption:"), which is
# dropped, rather than a section heading ("Style:"), which becomes the axis of the criteria under it
_LEAD_IN_WORDS = re.compile(
    r"\b(should|must|will|following|below|response|answer|that|check|ensure|verify|make sure|grade|evaluate|"
    r"score|rate|award|consider|whether|if)\b", re.I)


def _family(m: re.Match[str]) -> tuple[str, int]:
    """The marker family ('bullet', 'num', 'alpha', 'Q'...) and the marker's value in its sequence."""
    if m["bullet"]:
        return "bullet", 0
    if m["num"] or m["pnum"]:
        return "num", int(m["num"] or m["pnum"])
    letter = m["letter"] or m["pletter"] or m["dletter"]
    if letter:
        return "alpha", ord(letter.lower()) - ord("a") + 1
    if m["qnum"]:
        return "q" + m["qprefix"], int(m["qnum"])
    return "word", int(m["wnum"])


def _marker(line: str) -> tuple[int, str, int, str] | None:
    """(indent width, family, value, text after the marker) when the line opens a list item.

    A line that opens with a recognised marker bracket ("[Hard Rule] ...", "(importance: 90/100) ...") is an item
    too: rubrics written one criterion a line often lead each line with such a tag instead of a bullet.
    """
    m = _MARKER.match(line)
    if m:
        fam, value = _family(m)
        return _width(m["indent"]), fam, value, m["text"]
    stripped = line.lstrip()
    g = MARKER_GROUP.match(stripped)
    if g and read_group(g.group(1) or g.group(2), g.group(1) is not None) is not None:
        return _width(line[: len(line) - len(stripped)]), "tagged", 0, stripped
    return None


def _inline_family(m: re.Match[str]) -> tuple[str, int]:
    if m["num"] or m["pnum"]:
        return "num", int(m["num"] or m["pnum"])
    if m["letter"] or m["pletter"]:
        return "alpha", ord((m["letter"] or m["pletter"])) - ord("a") + 1
    return "qQ", int(m["qnum"])


def _split_inline(line: str) -> list[str]:
    """Split a line whose numbering runs inline into one line per number (see the module docstring)."""
    indent = len(line) - len(line.lstrip())
    matches = list(_INLINE.finditer(line))
    if len(matches) < 2:
        return [line]
    chain: list[re.Match[str]] = []
    for m in matches:
        fam, value = _inline_family(m)
        if not chain:
            at_start = m.start() == indent
            lead = line[indent:m.start()].rstrip()
            if at_start or (value == 1 and lead.endswith(":")):
                chain.append(m)
            continue
        last_fam, last_value = _inline_family(chain[-1])
        if fam == last_fam and value == last_value + 1:
            chain.append(m)
    if len(chain) < 2:
        return [line]
    pad = line[:indent]
    parts = [line[:chain[0].start()]] if chain[0].start() > indent else []
    for m, nxt in zip(chain, [*chain[1:], None], strict=True):
        parts.append(pad + line[m.start(): nxt.start() if nxt else len(line)].rstrip())
    return [p for p in parts if p.strip()]


def _split_inline_bullets(line: str) -> list[str]:
    stripped = line.lstrip()
    if not stripped.startswith("•") or " • " not in stripped:
        return [line]
    pad = line[: len(line) - len(stripped)]
    return [pad + "• " + piece.strip() for piece in stripped[1:].split(" • ") if piece.strip()]


def _width(indent: str) -> int:
    return len(indent.replace("\t", "    "))


@dataclass
class _Block:
    head: list[str] = field(default_factory=list)  # the criterion's own line and its continuations
    nested: list[str] = field(default_factory=list)  # nested list lines, kept with their markers
    axis: str | None = None

    def add_text(self, text: str) -> None:
        if self.nested:
            self.nested[-1] += " " + text
        else:
            self.head.append(text)


def _heading_text(line: str) -> str | None:
    m = _HEADING.match(line.strip())
    if not m:
        return None
    text = (m["md"] or m["bold"] or m["colon"] or "").strip().strip("*").strip().rstrip(":").strip()
    return text or None


def _as_criteria(blocks: list[_Block]) -> list[Criterion]:
    out: list[Criterion] = []
    for block in blocks:
        head, marks = extract_markers(" ".join(part.strip() for part in block.head))
        nested: list[str] = []
        for line in block.nested:
            text, found = extract_markers(line)
            nested.append(text)
            marks.points = marks.points if marks.points is not None else found.points
            marks.weight = marks.weight if marks.weight is not None else found.weight
            marks.axis = marks.axis or found.axis
            marks.tags.extend(t for t in found.tags if t not in marks.tags)
        text = "\n".join([head, *nested]).strip() if nested else head
        if not text:
            continue
        out.append(Criterion(
            id=f"c{len(out) + 1}", text=text, points=marks.points, weight=marks.weight,
            axis=marks.axis or block.axis, tags=tuple(marks.tags),
        ))
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [" ".join(p) for p in paragraphs if p]


def _comes_again(later: list[tuple[int, str, int, str] | None], fam: str, value: int) -> bool:
    return any(m is not None and m[1] == fam and m[2] == value for m in later)


def split_rubric(text: str) -> list[Criterion]:
    """Criteria of a rubric written as one text, with ids c1, c2, ... in order (rules in the module docstring)."""
    raw_lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[str] = []
    for raw in raw_lines:
        for piece in _split_inline(raw.rstrip()):
            lines.extend(_split_inline_bullets(piece))
    lines = [line for line in lines if not _ANNOUNCE.match(line.strip())]
    if not any(_marker(line) for line in lines):
        paragraphs = [p for p in _paragraphs(lines) if not _ANNOUNCE.match(p)]
        return _as_criteria([_Block(head=[p]) for p in paragraphs])

    blocks: list[_Block] = []
    preamble: list[str] = []
    top: tuple[int, str] | None = None
    top_last = 0
    nested_last: int | None = None
    axis: str | None = None
    section_break = False
    blank_before = False
    found_at = [_marker(line) for line in lines]
    for index, line in enumerate(lines):
        if not line.strip():
            blank_before = True
            continue
        found = found_at[index]
        if found:
            indent, fam, value, item_text = found
            if top is None or section_break:
                is_top = True
            elif indent > top[0] + 1:
                is_top = False
            elif indent < top[0]:
                is_top = True
            elif fam != top[1]:
                is_top = False
            elif fam in ("bullet", "tagged"):
                is_top = True
            elif nested_last is not None and value == nested_last + 1:
                # the outer numbering resumes here unless the same number comes again further down
                is_top = value == top_last + 1 and not _comes_again(found_at[index + 1:], fam, value)
            else:
                is_top = value > top_last
            if is_top:
                top = (indent, fam) if top is None or section_break else top
                if top[1] != fam:
                    top = (indent, fam)
                top_last, nested_last, section_break = value, None, False
                blocks.append(_Block(head=[item_text], axis=axis))
            else:
                nested_last = value if fam == top[1] else nested_last
                blocks[-1].nested.append(line.strip())
            blank_before = False
            continue
        stripped = line.strip()
        unindented = not line[:1].isspace()
        heading = _heading_text(line)
        is_section = bool(heading) and unindented and len(heading.split()) <= 6 \
            and not _LEAD_IN_WORDS.search(heading)
        if is_section and (not blocks or blank_before or stripped.startswith(("#", "**"))):
            axis, section_break = heading, bool(blocks)
        elif not blocks:
            preamble.append(line)
        elif blank_before and unindented:
            blocks.append(_Block(head=[stripped], axis=axis))
            nested_last = None
        else:
            blocks[-1].add_text(stripped)
        blank_before = False
    kept = [
        _Block(head=[paragraph]) for paragraph in _paragraphs(preamble)
        if not (paragraph.rstrip().endswith(":") or (_LEAD_IN_WORDS.search(paragraph) and len(paragraph) < 200))
    ]
    return _as_criteria(kept + blocks)
