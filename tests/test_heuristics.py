"""The built-in RIFT heuristics: each fires on rubrics written to show its failure mode and stays below the
default threshold (0.5) on rubrics written to avoid it."""

from __future__ import annotations

import pytest

from annotator.core.metrics import HEURISTICS, run_heuristics
from annotator.core.model import Criterion, Item

THRESHOLD = 0.5
GENERIC_PROMPT = ("My landlord kept my security deposit. Explain what rights a tenant in Ontario has to get a "
                  "deposit back, and list the steps to file a claim with the Landlord and Tenant Board.")


def rubric(criteria: list[str], prompt: str = GENERIC_PROMPT, item_id: str = "r1") -> Item:
    return Item(id=item_id, kind="rubric", prompt=prompt,
                criteria=tuple(Criterion(id=f"c{k}", text=t) for k, t in enumerate(criteria, 1)))


def criterion_score(label: str, text: str, prompt: str = GENERIC_PROMPT) -> float:
    return HEURISTICS[label](rubric([text], prompt))["criterion:c1"]


CRITERION_CASES = {
    "subjective": (
        ["The explanation is clear and comprehensive.",
         "Writes in an engaging, professional tone.",
         "Gives an appropriate level of detail.",
         "The answer is well-written and high quality.",
         "The query is efficient."],
        ["States that the deposit must be returned within 10 days of the tenancy ending.",
         "Names the form used to file the claim (Form T1, Tenant Application for a Rebate).",
         "Uses clear headings, e.g. 'Your rights' and 'Filing a claim'.",
         "Lists the filing fee."],
    ),
    "non_atomic": (
        ["Explains the deposit rules, cites the governing statute and gives the filing deadline.",
         "Identifies the correct form; explains how to serve it; states the fee.",
         "Describes the tenant's rights and lists the steps to file a claim.",
         "Mentions interest on the deposit, the 10-day rule, and the landlord's right to deduct damages.",
         "The letter is polite, accurate, and under one page."],
        ["Names the tribunal that hears deposit disputes.",
         "Explains the pros and cons of filing a claim.",
         "Explains the deposit rules, cites the statute and gives the deadline (1 point each).",
         "States the one-year limit for filing.",
         "Names a tribunal that hears disputes, such as the Landlord and Tenant Board, a small claims court and a "
         "mediation service."],
    ),
    "ungrounded": (
        ["The legal analysis is correct.",
         "Gives the right answer to the question.",
         "All facts stated are accurate and valid.",
         "Correctly computes the amount owed."],
        ["States that the limit for filing is one year after the tenant moves out.",
         "The refund computed equals the deposit plus 2.5% interest (tolerance 1 dollar).",
         "Correctly identifies the tribunal as the Landlord and Tenant Board.",
         "Lists the steps to file a claim."],
    ),
    "misaligned_or_rigid": (
        ["Presents the steps in a table.",
         "The response must be under 150 words.",
         "Returns the answer as JSON.",
         "Uses Python to calculate the interest owed.",
         "Starts with the tribunal's name in bold."],
        ["Lists the steps to file a claim.",
         "States the tenant's right to interest on the deposit.",
         "Explains which tribunal hears the claim.",
         "Mentions the deadline for the landlord to return the deposit."],
    ),
    "hackable": (
        ["Includes at least 5 examples.",
         "The response is 500+ words.",
         "Mentions the word 'tribunal'.",
         "Cites at least three sources."],
        ["Includes at least 3 relevant examples, each explained.",
         "Cites at least two credible sources that support the deadline.",
         "States the filing fee.",
         "Explains why the landlord may keep part of the deposit."],
    ),
}


@pytest.mark.parametrize("label", sorted(CRITERION_CASES))
def test_criterion_heuristic_fires_on_its_mode(label: str) -> None:
    for text in CRITERION_CASES[label][0]:
        assert criterion_score(label, text) >= THRESHOLD, text


@pytest.mark.parametrize("label", sorted(CRITERION_CASES))
def test_criterion_heuristic_stays_quiet_otherwise(label: str) -> None:
    for text in CRITERION_CASES[label][1]:
        assert criterion_score(label, text) < THRESHOLD, text


def test_rigidity_asked_for_by_the_prompt_is_not_flagged() -> None:
    prompt = "Summarize the tenant's rights in a table, in under 150 words, using Python to compute the interest."
    for text in ("Presents the rights in a table.", "The response is under 150 words.",
                 "Uses Python to compute the interest."):
        assert criterion_score("misaligned_or_rigid", text, prompt) == 0.0, text


ITEM_CASES = {
    "missing_criteria": (
        [rubric(["Names the Landlord and Tenant Board."]),
         rubric(["States the tenant's deposit rights under the Residential Tenancies Act."]),
         rubric(["Explains how to compute the interest."],
                prompt="Write a haiku about autumn leaves. Include the word 'maple'. Then translate it to French."),
         rubric([], prompt="Please list three causes of inflation and explain each.")],
        [rubric(["Explains the tenant's rights to get the deposit back in Ontario.",
                 "Lists the steps to file a claim with the Landlord and Tenant Board."]),
         rubric(["Writes a three-line haiku about autumn leaves.", "The haiku includes the word 'maple'.",
                 "Translates the haiku to French."],
                prompt="Write a haiku about autumn leaves. Include the word 'maple'. Then translate it to French."),
         rubric(["Gives the value of x."], prompt="Hello!"),
         rubric(["Names three causes of inflation.", "Explains each cause of inflation."],
                prompt="Please list three causes of inflation and explain each.")],
    ),
    "redundant_criteria": (
        [rubric(["Describes the time complexity of lookup for chaining.",
                 "Explains the lookup time complexity when chaining is used.", "Names the hash function."]),
         rubric(["Lists the steps to file a claim.", "Lists the steps to file a claim."]),
         rubric(["States the deadline for returning the deposit.",
                 "Gives the deadline by which the deposit must be returned.", "States the filing fee."]),
         rubric(["Mentions the interest owed on the deposit.", "States the interest owed on the deposit."])],
        [rubric(["The code compiles.", "The code passes all the unit tests."]),
         rubric(["States the filing fee.", "Names the tribunal.", "Gives the deadline for filing."]),
         rubric(["Mentions the interest owed on the deposit.",
                 "Does not mention interest owed on the deposit."]),
         rubric(["Explains the tenant's rights.", "Lists the steps to file a claim."])],
    ),
    "low_signal": (
        [rubric(["The response is clear and well organized.", "No spelling or grammar errors.",
                 "The answer is helpful and relevant."]),
         rubric(["Follows the instructions.", "Uses a professional tone."]),
         rubric([]),
         rubric(["The response is accurate and complete.", "Is concise.", "Names the tribunal."])],
        [rubric(["Names the Landlord and Tenant Board.", "States the one-year deadline for a tenant's claim.",
                 "Lists the steps to file the claim."]),
         rubric(["States that a deposit may only cover the last month's rent.",
                 "The response is clear.", "Explains interest on the deposit."]),
         rubric(["Translates the haiku into French.", "Uses the word 'maple'."],
                prompt="Write a haiku about maple leaves and translate it into French."),
         rubric(["Gives the deposit deadline."])],
    ),
}


@pytest.mark.parametrize("label", sorted(ITEM_CASES))
def test_rubric_heuristic_fires_on_its_mode(label: str) -> None:
    for item in ITEM_CASES[label][0]:
        assert HEURISTICS[label](item)["item"] >= THRESHOLD, [c.text for c in item.criteria]


@pytest.mark.parametrize("label", sorted(ITEM_CASES))
def test_rubric_heuristic_stays_quiet_otherwise(label: str) -> None:
    for item in ITEM_CASES[label][1]:
        assert HEURISTICS[label](item)["item"] < THRESHOLD, [c.text for c in item.criteria]


def test_every_rift_mode_has_a_documented_heuristic() -> None:
    assert set(HEURISTICS) == {"subjective", "non_atomic", "ungrounded", "misaligned_or_rigid", "hackable",
                               "missing_criteria", "low_signal", "redundant_criteria"}
    for name, heuristic in HEURISTICS.items():
        assert heuristic.__doc__ and len(heuristic.__doc__) > 100, name


def test_run_heuristics_yields_positive_scores_on_rubrics_only() -> None:
    items = [rubric(["The explanation is clear.", "Presents the steps in a table."], item_id="r1"),
             Item(id="t1", kind="trace", problem="2+2?"),
             rubric(["Names the Landlord and Tenant Board."], item_id="r2")]
    preds = list(run_heuristics(items))
    assert preds and {p.item_id for p in preds} <= {"r1", "r2"}
    assert all(p.metric == "heuristic" and p.taxonomy == "rift" and 0 < p.score <= 1 for p in preds)
    got = {(p.item_id, p.target, p.label) for p in preds}
    assert ("r1", "criterion:c1", "subjective") in got
    assert ("r1", "criterion:c2", "misaligned_or_rigid") in got
    assert all(p.target == "item" for p in preds if p.label in ("missing_criteria", "low_signal",
                                                                "redundant_criteria"))
    assert len(got) == len(preds)
    assert list(run_heuristics(items)) == preds  # deterministic
