"""split_rubric on rubric texts of many styles, each written for these tests."""

from __future__ import annotations

import pytest

from annotator.core.formats import split_rubric


def C(text: str, **fields):  # noqa: N802 - reads like a row of the expected table
    return {"text": text, **fields}


CASES = [
    # --- instruction following ---
    ("if-dash-bullets",
     "- Uses exactly three bullet points\n- Stays under 80 words\n- Does not use the word \"eco\"",
     [C("Uses exactly three bullet points"), C("Stays under 80 words"), C('Does not use the word "eco"')]),
    ("if-inline-numbers-mixed-styles",
     "1. Mentions the launch date 2. Cites the price 3) Ends with a call to action",
     [C("Mentions the launch date"), C("Cites the price"), C("Ends with a call to action")]),
    ("if-lead-in-then-inline",
     "Requirements: 1. Reply in Spanish 2. Use a formal register 3. Sign off with the agent's name",
     [C("Reply in Spanish"), C("Use a formal register"), C("Sign off with the agent's name")]),
    ("if-heading-dropped-and-hard-rules",
     "Rubric:\n1. [Hard Rule] The reply is a single paragraph.\n2. [Hard Rule] No emojis.\n3. Sounds friendly [Principle]",
     [C("The reply is a single paragraph.", tags=("Hard Rule",)), C("No emojis.", tags=("Hard Rule",)),
      C("Sounds friendly", tags=("Principle",))]),
    ("if-q-numbering",
     "Q1: Is the answer written as a numbered list?\nQ2: Does every item start with a verb?\nQ3: Is the total under 120 words?",
     [C("Is the answer written as a numbered list?"), C("Does every item start with a verb?"),
      C("Is the total under 120 words?")]),
    ("if-q-inline",
     "Q1: Is the tone polite? Q2: Does it mention the refund window? Q3: Is there a subject line?",
     [C("Is the tone polite?"), C("Does it mention the refund window?"), C("Is there a subject line?")]),
    ("if-checkboxes",
     "- [ ] Title is in title case\n- [x] Exactly two sections\n- [ ] Each section has a heading",
     [C("Title is in title case"), C("Exactly two sections"), C("Each section has a heading")]),
    # --- code ---
    ("code-nested-restart-indented",
     "1. Implements the function correctly:\n   1. returns [] for an empty list\n   2. keeps the order of equal keys\n"
     "2. Includes type hints\n3. Adds at least two unit tests",
     [C("Implements the function correctly:\n1. returns [] for an empty list\n2. keeps the order of equal keys"),
      C("Includes type hints"), C("Adds at least two unit tests")]),
    ("code-nested-restart-flush",
     "1. The solution handles these inputs:\n1. an empty string\n2. a string of spaces\n2. Runs in linear time\n"
     "3. Has no global state",
     [C("The solution handles these inputs:\n1. an empty string\n2. a string of spaces"), C("Runs in linear time"),
      C("Has no global state")]),
    ("code-letters-under-numbers",
     "1. Query is correct\na) joins on customer_id\nb) filters to 2024 orders\n2. Query uses an index-friendly predicate",
     [C("Query is correct\na) joins on customer_id\nb) filters to 2024 orders"),
      C("Query uses an index-friendly predicate")]),
    ("code-points-parens-and-brackets",
     "* Compiles without warnings (2 points)\n* Passes the provided tests [+5]\n* Uses a global variable [-3 points]",
     [C("Compiles without warnings", points=2.0), C("Passes the provided tests", points=5.0),
      C("Uses a global variable", points=-3.0)]),
    ("code-sections-as-axes",
     "## Grading rubric\n\n**Correctness**\n1. Returns 1 for n = 0 (2 points)\n2. Raises ValueError for n < 0 (3 points)\n\n"
     "**Style**\n1. Has a docstring (1 point)",
     [C("Returns 1 for n = 0", points=2.0, axis="Correctness"),
      C("Raises ValueError for n < 0", points=3.0, axis="Correctness"), C("Has a docstring", points=1.0, axis="Style")]),
    ("code-continuation-lines",
     "- The patch fixes the off-by-one error\n  in the pagination helper\n- The patch adds a regression test",
     [C("The patch fixes the off-by-one error in the pagination helper"), C("The patch adds a regression test")]),
    # --- creative writing ---
    ("creative-single-paragraph",
     "The story should feel complete, with a clear turn near the end that recasts the opening image.",
     [C("The story should feel complete, with a clear turn near the end that recasts the opening image.")]),
    ("creative-paragraphs",
     "A strong poem keeps a consistent metre throughout.\n\nIt uses concrete imagery rather than abstractions.\n\n"
     "Its final line echoes the first.",
     [C("A strong poem keeps a consistent metre throughout."), C("It uses concrete imagery rather than abstractions."),
      C("Its final line echoes the first.")]),
    ("creative-wrapped-paragraph",
     "The dialogue sounds natural\nand each character has\na distinct voice.",
     [C("The dialogue sounds natural and each character has a distinct voice.")]),
    ("creative-bullet-dot",
     "• Opens in the middle of an action\n• Names the narrator by the second paragraph\n• Under 500 words",
     [C("Opens in the middle of an action"), C("Names the narrator by the second paragraph"), C("Under 500 words")]),
    ("creative-inline-bullet-dot",
     "• Has a title • Rhymes AABB • Mentions the sea",
     [C("Has a title"), C("Rhymes AABB"), C("Mentions the sea")]),
    # --- deep research ---
    ("research-axis-weight-markers",
     "[Explicit Criteria, weight 3.0] Names at least three randomised trials.\n"
     "[Implicit Criteria, weight 2.0] Notes that volunteer firms may differ from others.\n"
     "[Communication Quality, weight 0.5] Uses headings for each section.",
     [C("Names at least three randomised trials.", axis="Explicit Criteria", weight=3.0),
      C("Notes that volunteer firms may differ from others.", axis="Implicit Criteria", weight=2.0),
      C("Uses headings for each section.", axis="Communication Quality", weight=0.5)]),
    ("research-importance",
     "- Gives the 2023 figure with its source (importance: 95/100)\n- Explains the method change in 2019 (importance: 60/100)",
     [C("Gives the 2023 figure with its source", weight=0.95), C("Explains the method change in 2019", weight=0.6)]),
    ("research-lead-in-and-en-dash",
     "The report should:\n– compare at least two national policies\n– quantify costs in a common currency\n"
     "– cite primary sources rather than news articles",
     [C("compare at least two national policies"), C("quantify costs in a common currency"),
      C("cite primary sources rather than news articles")]),
    ("research-parenthesised-numbers",
     "(1) Defines the population studied (2) States the time window (3) Reports effect sizes with intervals",
     [C("Defines the population studied"), C("States the time window"), C("Reports effect sizes with intervals")]),
    # --- health ---
    ("health-points-penalties",
     "1. Advises seeing a doctor if the fever lasts more than three days [+5]\n"
     "2. Recommends antibiotics for a viral infection [-8]\n3. Asks about the child's age (3 pts)",
     [C("Advises seeing a doctor if the fever lasts more than three days", points=5.0),
      C("Recommends antibiotics for a viral infection", points=-8.0), C("Asks about the child's age", points=3.0)]),
    ("health-trailing-points-dash",
     "- Mentions checking blood sugar before exercise - 4 points\n- Says insulin doses never need changing - -6 points",
     [C("Mentions checking blood sugar before exercise", points=4.0),
      C("Says insulin doses never need changing", points=-6.0)]),
    ("health-axis-marker",
     "- Explains the dosing by weight [axis: accuracy]\n- Uses plain language [axis: communication, 2 points]",
     [C("Explains the dosing by weight", axis="accuracy"), C("Uses plain language", axis="communication", points=2.0)]),
    ("health-parens-kept",
     "- Mentions paracetamol (acetaminophen) as an option\n- Warns against aspirin for children (Reye's syndrome)",
     [C("Mentions paracetamol (acetaminophen) as an option"),
      C("Warns against aspirin for children (Reye's syndrome)")]),
    # --- captioning ---
    ("caption-lettered-list",
     "a) Names the red kettle\nb) Counts two mugs\nc) Does not invent a window",
     [C("Names the red kettle"), C("Counts two mugs"), C("Does not invent a window")]),
    ("caption-inline-letters",
     "Check that the caption: a) mentions the dog b) gives its colour c) places it on the sofa",
     [C("mentions the dog"), C("gives its colour"), C("places it on the sofa")]),
    ("caption-criteria-heading-markdown",
     "### Criteria\n* Reads the shop sign text exactly\n* Mentions that it is raining",
     [C("Reads the shop sign text exactly"), C("Mentions that it is raining")]),
    ("caption-sections",
     "Objects:\n- the bicycle\n- the lamp post\n\nAttributes:\n- the bicycle is blue",
     [C("the bicycle", axis="Objects"), C("the lamp post", axis="Objects"), C("the bicycle is blue", axis="Attributes")]),
    # --- numbers that must not split ---
    ("no-split-inside-sentence",
     "- Lists the steps 1) preheat 2) mix in order\n- Gives the bake time",
     [C("Lists the steps 1) preheat 2) mix in order"), C("Gives the bake time")]),
    ("no-split-decimals",
     "1. Reports pH 7.4 as normal\n2. States 2.5 mg as the dose",
     [C("Reports pH 7.4 as normal"), C("States 2.5 mg as the dose")]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split_rubric(text: str, expected: list[dict]) -> None:
    got = split_rubric(text)
    assert [c.id for c in got] == [f"c{i}" for i in range(1, len(expected) + 1)]
    assert len(got) == len(expected)
    for criterion, want in zip(got, expected, strict=True):
        assert criterion.text == want["text"]
        assert criterion.points == want.get("points")
        assert criterion.weight == pytest.approx(want["weight"]) if "weight" in want else criterion.weight is None
        assert criterion.axis == want.get("axis")
        assert criterion.tags == want.get("tags", ())


def test_enough_cases() -> None:
    assert len(CASES) >= 25


def test_empty_text_has_no_criteria() -> None:
    assert split_rubric("") == []
    assert split_rubric("  \n\n ") == []
    assert split_rubric("Rubric:") == []
