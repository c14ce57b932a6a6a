"""Whether a trace's final answer agrees with its reference answer: the hint beside the two in the trace view.

Three levels, so a badge never calls equal answers different (a red "no match" on 42 against 42.0 would nudge
an annotator to rate a right step wrong):
- `match`: the two texts are the same once trimmed;
- `equivalent`: they differ in writing only (case, spacing, `$...$`, `\\boxed{}`, a full stop) or they are the
  same mathematical value (42 and 42.0, 1/2 and \\frac{1}{2}, (x+1)^2 and x^2+2x+1), as math-verify judges it;
- `no match` and `not comparable` (an answer missing).

math-verify (Hugging Face's checker for maths answers, built on sympy) is imported on first use only: it takes
a second or two to load, which the trace view spends off the UI thread (`needs_math` says when). It is a hint
for the annotator, not a grader.
"""

from __future__ import annotations

import logging
import re
from enum import Enum

MAX_MATH_CHARS = 300  # longer answers are prose: no parser runs on them (math-verify's own timeouts are off)

_BOXED = re.compile(r"\\boxed\{(.*)\}", re.DOTALL)


class AnswerMatch(str, Enum):
    MATCH = "match"
    EQUIVALENT = "equivalent"
    NO_MATCH = "no match"
    NOT_COMPARABLE = "not comparable"


def normalise_answer(text: str) -> str:
    """The answer without its presentation: a wrapping `\\boxed{}` or `$...$`, a final full stop, case, spacing."""
    value = text.strip()
    boxed = _BOXED.search(value)
    if boxed:
        value = boxed.group(1)
    value = value.strip().strip("$").strip()
    value = value.rstrip(".").strip()
    return " ".join(value.casefold().split())


def quick_compare(answer: str | None, reference: str | None) -> AnswerMatch | None:
    """The verdict when plain text decides it; None when only the mathematical check can (see `compare_answers`)."""
    if not answer or not reference or not answer.strip() or not reference.strip():
        return AnswerMatch.NOT_COMPARABLE
    if answer.strip() == reference.strip():
        return AnswerMatch.MATCH
    if normalise_answer(answer) == normalise_answer(reference):
        return AnswerMatch.EQUIVALENT
    if len(answer) > MAX_MATH_CHARS or len(reference) > MAX_MATH_CHARS:
        return AnswerMatch.NO_MATCH
    return None


def needs_math(answer: str | None, reference: str | None) -> bool:
    """True when the verdict waits on the mathematical check (slow the first time: run it off the UI thread)."""
    return quick_compare(answer, reference) is None


def compare_answers(answer: str | None, reference: str | None) -> AnswerMatch:
    """How far `answer` agrees with `reference`.

    >>> compare_answers("42", "42.0").value
    'equivalent'
    >>> compare_answers("\\\\frac{1}{2}", "0.5").value
    'equivalent'
    >>> compare_answers("42", "43").value
    'no match'
    """
    quick = quick_compare(answer, reference)
    if quick is not None:
        return quick
    assert answer is not None and reference is not None
    return AnswerMatch.EQUIVALENT if math_equivalent(answer, reference) else AnswerMatch.NO_MATCH


def warm_up() -> None:
    """Load the maths library ahead of the first trace (it takes a second or two), off the UI thread."""
    try:
        import math_verify  # noqa: F401
    except ImportError:
        pass


def math_equivalent(answer: str, reference: str) -> bool:
    """Whether two answers are the same value or expression, read as LaTeX or as a plain expression."""
    try:
        from math_verify import parse, verify
    except ImportError:  # an install without it still compares plain numbers
        return _same_number(answer, reference)
    _quiet(logging.getLogger("math_verify"))
    # Timeouts off: math-verify enforces them with SIGALRM (main thread only) or a process per call on
    # Windows; answers are capped at MAX_MATH_CHARS instead.
    gold = parse(_as_math(reference), parsing_timeout=None)
    given = parse(_as_math(answer), parsing_timeout=None)
    if not gold or not given:
        return _same_number(answer, reference)
    try:
        return bool(verify(gold, given, timeout_seconds=None))
    except Exception:  # noqa: BLE001 - a parser failure means "cannot tell", never a crash of the view
        return False


_E_NOTATION = re.compile(r"(\d(?:\.\d+)?)[eE]([+-]?\d+)\b")  # 3.6e5
_TIMES_TEN = re.compile(r"(\d)\s*[x×*]\s*10\s*\^")  # 3.6 x 10^5, 3.6×10^5


def _as_math(text: str) -> str:
    """Give math-verify a delimited expression (it finds bare `x^2+1` only inside `$...$`), with powers of ten
    written the LaTeX way, which it reads, rather than as 3.6e5 or 3.6 x 10^5, which it misreads."""
    value = _TIMES_TEN.sub(r"\1 \\times 10^", _E_NOTATION.sub(r"\1 \\times 10^{\2}", text.strip()))
    return value if "$" in value or "\\boxed" in value or "\\(" in value else f"${value}$"


def _same_number(a: str, b: str) -> bool:
    try:
        x, y = float(normalise_answer(a).replace(",", "")), float(normalise_answer(b).replace(",", ""))
    except ValueError:
        return False
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def _quiet(logger: logging.Logger) -> None:
    """math-verify warns once that its timeouts are off; that is deliberate here, not news for the user."""
    if logger.level < logging.ERROR:
        logger.setLevel(logging.ERROR)
