"""split_trace: blank lines and "Step N" headings."""

from __future__ import annotations

import pytest

from annotator.core.formats import split_trace

CASES = [
    ("blank-lines", "First, note that x > 0.\n\nThen square both sides.\n\nSo x = 3.",
     ["First, note that x > 0.", "Then square both sides.", "So x = 3."]),
    ("step-colon", "Step 1: Write F = ma.\nStep 2: Solve for a.\nStep 3: a = 2 m/s^2.",
     ["Step 1: Write F = ma.", "Step 2: Solve for a.", "Step 3: a = 2 m/s^2."]),
    ("step-bold-and-markdown", "**Step 1** Expand the bracket.\n\n## Step 2\nCollect terms.\n\n### Step 3: Factor\nDone.",
     ["**Step 1** Expand the bracket.", "## Step 2\nCollect terms.", "### Step 3: Factor\nDone."]),
    ("step-keeps-display-math", "Step 1: Use energy conservation:\n\n$$\\frac12 mv^2 = mgh$$\n\nStep 2: h = v^2/2g.",
     ["Step 1: Use energy conservation:\n\n$$\\frac12 mv^2 = mgh$$", "Step 2: h = v^2/2g."]),
    ("preamble-before-steps", "Let me think about this.\nStep 1. Set up.\nStep 2. Solve.",
     ["Let me think about this.", "Step 1. Set up.", "Step 2. Solve."]),
    ("fence-not-split", "Write the code:\n\n```python\ndef f(x):\n\n    return x\n```\n\nIt returns x.",
     ["Write the code:", "```python\ndef f(x):\n\n    return x\n```", "It returns x."]),
    ("display-math-not-split", "The integral is\n$$\n\\int_0^1 x\\,dx\n\n= 1/2\n$$\n\nHence 1/2.",
     ["The integral is\n$$\n\\int_0^1 x\\,dx\n\n= 1/2\n$$", "Hence 1/2."]),
    ("one-step", "The answer is 42.", ["The answer is 42."]),
    ("windows-newlines", "a = 1\r\n\r\nb = 2", ["a = 1", "b = 2"]),
    ("stepping-word-not-heading", "Stepping back, the sum is 5.\n\nSo 5.", ["Stepping back, the sum is 5.", "So 5."]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split_trace(text: str, expected: list[str]) -> None:
    steps = split_trace(text)
    assert [s.text for s in steps] == expected
    assert [s.id for s in steps] == [f"s{i}" for i in range(1, len(expected) + 1)]


def test_empty_trace() -> None:
    assert split_trace("") == []
    assert split_trace("\n \n") == []
