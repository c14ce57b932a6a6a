"""Answer equivalence for the trace view's badge: equal values and equivalent expressions never read as
"no match", and the badge tells an exact match from an equivalent one."""

from __future__ import annotations

import pytest

from annotator.core.answers import AnswerMatch, compare_answers, needs_math, normalise_answer

EQUIVALENT = [
    ("42", "42.0"),
    ("42.0", "42"),
    ("0.5", "\\frac{1}{2}"),
    ("1/2", "\\frac{1}{2}"),
    ("x^2+2x+1", "(x+1)^2"),
    ("2\\sqrt{2}", "\\sqrt{8}"),
    ("\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt3}2"),
    ("1,000", "1000"),
    ("$144$", "144"),
    ("The answer is 7.", "the answer is 7"),
    ("3.6e5 N/C", "3.6 x 10^5 N/C"),  # from the sample's electrostatics trace
    ("360000", "3.6 \\times 10^5"),
]


@pytest.mark.parametrize(("answer", "reference"), EQUIVALENT)
def test_equivalent_answers_are_never_called_different(answer, reference):
    assert compare_answers(answer, reference) is AnswerMatch.EQUIVALENT


@pytest.mark.parametrize(("answer", "reference"), [("42", "43"), ("x^2", "x^3"), ("\\frac{1}{3}", "0.3"),
                                                   ("red", "blue")])
def test_different_answers_do_not_match(answer, reference):
    assert compare_answers(answer, reference) is AnswerMatch.NO_MATCH


def test_the_same_text_is_a_match_not_just_equivalent():
    assert compare_answers(" 42 ", "42") is AnswerMatch.MATCH
    assert not needs_math("42", "42")


def test_missing_answers_are_not_comparable():
    assert compare_answers(None, "4") is AnswerMatch.NOT_COMPARABLE
    assert compare_answers("4", "  ") is AnswerMatch.NOT_COMPARABLE


def test_only_values_the_text_cannot_settle_wait_for_the_maths():
    assert needs_math("42", "42.0")
    assert not needs_math("$144$", "144")
    assert not needs_math("a" * 400, "b")  # prose: never handed to the parser
    assert compare_answers("a" * 400, "b") is AnswerMatch.NO_MATCH


def test_normalising_drops_presentation_only():
    assert normalise_answer("  \\boxed{X = 2}. ") == "x = 2"
