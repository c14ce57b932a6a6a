"""Splitting a reasoning trace written as one text into steps (DESIGN section 4).

When the trace marks its steps with headings ("Step 1:", "**Step 2**", "## Step 3", "Step 4." ...), each heading
starts a step and the step runs to the next heading, blank lines included: a step often holds a displayed
equation between blank lines, and cutting it there would split one step in two. Text before the first heading is
a step of its own. Without such headings, blank lines separate steps, except inside ``` code fences and $$ display
math. Step texts are kept as written (headings included), so span offsets point into what the annotator reads.
"""

from __future__ import annotations

import re

from ..model import Step

_STEP_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*Step[ \t]+\d+[ \t]*(?:[:.)\-–—]|\*\*|__|$)", re.I
)


def _steps(chunks: list[str]) -> list[Step]:
    texts = [c.strip() for c in chunks if c.strip()]
    return [Step(id=f"s{i}", text=t) for i, t in enumerate(texts, start=1)]


def split_trace(text: str) -> list[Step]:
    """Steps of a trace, with ids s1, s2, ... in order (rules in the module docstring)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any(_STEP_HEADING.match(line) for line in lines):
        chunks: list[list[str]] = [[]]
        for line in lines:
            if _STEP_HEADING.match(line) and any(part.strip() for part in chunks[-1]):
                chunks.append([])
            chunks[-1].append(line)
        return _steps(["\n".join(c) for c in chunks])
    chunks = [[]]
    fenced = display = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
        elif not fenced and stripped.count("$$") % 2 == 1:
            display = not display
        if not stripped and not fenced and not display:
            if chunks[-1]:
                chunks.append([])
            continue
        chunks[-1].append(line)
    return _steps(["\n".join(c) for c in chunks])
