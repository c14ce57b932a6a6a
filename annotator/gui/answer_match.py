"""Whether a trace's final answer matches its reference answer, for the badge in the trace view.

The comparison is deliberately forgiving of presentation only (case, spacing, a wrapping `$...$` or
`\\boxed{...}`, a trailing full stop); it is a hint for the annotator, not a grader.
"""

from __future__ import annotations

import re

_BOXED = re.compile(r"\\boxed\{(.*)\}", re.DOTALL)


def normalise_answer(text: str) -> str:
    value = text.strip()
    boxed = _BOXED.search(value)
    if boxed:
        value = boxed.group(1)
    value = value.strip().strip("$").strip()
    value = value.rstrip(".").strip()
    return " ".join(value.casefold().split())


def answers_match(answer: str | None, reference: str | None) -> bool | None:
    """True or False when both answers are given, None when either is missing."""
    if not answer or not reference or not answer.strip() or not reference.strip():
        return None
    return normalise_answer(answer) == normalise_answer(reference)
