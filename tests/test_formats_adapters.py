"""The public-format adapters: each read as published, good and bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.formats import read_records, read_rift_results

DATA = Path(__file__).parent / "data" / "formats"


def jsonl(path: Path, *records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def problems(path: Path, fmt: str = "auto") -> list[tuple[int, str, str]]:
    with pytest.raises(InputError) as caught:
        list(read_records(path, fmt))
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def labels_of(record) -> list[tuple[str, str, str, str]]:
    return [(lab.taxonomy, lab.annotator, lab.target, lab.label) for lab in record.labels]


# --- PRM800K ------------------------------------------------------------------------------------------------------

def test_prm800k_steps_and_ratings() -> None:
    first, second = read_records(DATA / "prm800k_good.jsonl")
    item = first.item
    assert item.kind == "trace" and item.source == "prm800k"
    assert item.problem.startswith("What is the remainder")
    assert item.reference_answer == "1" and item.answer == "1"
    # the chosen completion where given; else the labeler's own step, which carries no rating
    assert [s.text for s in item.steps] == ["7 is 2 mod 5, so 7^4 is 2^4 mod 5.", "2^4 = 16, which is 1 mod 5.",
                                            "So the remainder is 1.", "# Answer\n\n1"]
    # the null rating of the last step gives no label; the timestamp is when the labels were given
    assert labels_of(first) == [("step_rating", "rater-07", "step:s1", "+1"), ("step_rating", "rater-07", "step:s2", "+1")]
    assert all(lab.item_id == item.id and lab.created_at.isoformat() == "2022-08-01T10:00:00" for lab in first.labels)
    assert item.meta == {"generation": 3, "is_quality_control_question": False, "pre_generated_answer": "1"}
    assert labels_of(second) == [("step_rating", "prm800k", "step:s1", "+1"), ("step_rating", "prm800k", "step:s2", "-1")]


def test_prm800k_problems(tmp_path: Path) -> None:
    step = {"completions": [{"text": "x", "rating": 1}], "chosen_completion": 0}
    path = jsonl(tmp_path / "prm.jsonl",
                 {"question": {"problem": "p"}, "label": {"steps": [{"completions": [{"text": "x", "rating": 2}]}]}},
                 {"question": {"problem": "p"}, "label": {"steps": [{**step, "chosen_completion": 3}]}},
                 {"question": {}, "label": {"steps": [step]}},
                 {"question": {"problem": "p"}, "label": {"steps": []}},
                 {"question": {"problem": "p"}, "label": {"steps": [{"completions": []}]}})
    assert problems(path, "prm800k") == [
        (1, "label.steps[0].completions[0].rating", "input should be -1, 0 or 1, got a number"),
        (2, "label.steps[0].chosen_completion", "is 3 but the step has 1 completions"),
        (3, "question.problem", "is missing"),
        (4, "label.steps", "list should have at least 1 item after validation, not 0"),
        (5, "label.steps[0].completions", "list should have at least 1 item after validation, not 0"),
    ]


# --- ProcessBench -------------------------------------------------------------------------------------------------

def test_processbench_first_error_labels() -> None:
    wrong_at_1, all_right, wrong_at_0 = read_records(DATA / "processbench_good.jsonl")
    assert wrong_at_1.item.id == "gsm8k-12" and wrong_at_1.item.model == "small-model-7b"
    assert wrong_at_1.item.meta == {"first_error_step": 1, "final_answer_correct": False}
    assert labels_of(wrong_at_1) == [("step_rating", "processbench", "step:s1", "+1"),
                                     ("step_rating", "processbench", "step:s2", "-1")]
    assert [lab.label for lab in all_right.labels] == ["+1", "+1"]
    assert [(lab.target, lab.label) for lab in wrong_at_0.labels] == [("step:s1", "-1")]


def test_processbench_problems(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "pb.jsonl",
                 {"id": "a", "problem": "p", "steps": ["x", "y"], "label": 2},
                 {"id": "b", "problem": "p", "steps": ["x"], "label": -2},
                 {"id": "c", "problem": "p", "steps": [], "label": -1},
                 {"id": "d", "problem": "p", "steps": "x", "label": 0},
                 {"id": "e", "problem": "p", "steps": ["x"], "label": "first"})
    assert problems(path, "processbench") == [
        (1, "label", "is 2, but it must be -1 (no wrong step) or a step index from 0 to 1"),
        (2, "label", "is -2, but it must be -1 (no wrong step) or a step index from 0 to 0"),
        (3, "steps", "list should have at least 1 item after validation, not 0"),
        (4, "steps", "input should be a valid list, got a string"),
        (5, "label", "input should be a valid integer, unable to parse string as an integer"),
    ]


# --- rubric sets --------------------------------------------------------------------------------------------------

def test_healthbench() -> None:
    (record,) = read_records(DATA / "healthbench_good.jsonl")
    item = record.item
    assert item.id == "hb-001" and item.kind == "rubric" and item.source == "healthbench"
    assert item.prompt.splitlines() == [
        "user: I have had a mild headache for two days. What can I do at home?",
        "assistant: How old are you, and do you take any medicines?", "user: 34, and none."]
    assert [c.points for c in item.criteria] == [5, 8, -6]
    assert item.criteria[1].axis == "accuracy" and item.criteria[1].tags == ("level:example", "axis:accuracy")
    assert item.meta == {"example_tags": ["theme:global_health", "physician_agreed_category:enough-context"]}


def test_healthbench_problems(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "hb.jsonl",
                 {"prompt": [{"role": "user"}], "rubrics": [{"criterion": "c", "points": 1}]},
                 {"prompt": [{"role": "user", "content": "q"}], "rubrics": [{"criterion": "c", "points": "lots"}]},
                 {"prompt": [{"role": "user", "content": "q"}], "rubrics": []},
                 {"prompt": 5, "rubrics": [{"criterion": "c", "points": 1}]},
                 {"prompt": " ", "rubrics": [{"criterion": "c", "points": 1}]})
    assert problems(path, "healthbench") == [
        (1, "prompt[0].content", "is missing"),
        (2, "rubrics[0].points", "input should be a valid number, unable to parse string as a number"),
        (3, "rubrics", "list should have at least 1 item after validation, not 0"),
        (4, "prompt", "should be a list or a string, got a number"),
        (5, "prompt", "is empty"),
    ]


def test_checklist_entries_of_the_wrong_shape(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "ck.jsonl", {"prompt": "q", "checklist": [5, {"text": ""}, {"txt": 1}, "fine"]})
    assert problems(path, "checklist") == [
        (1, "checklist[0]", "should be an object or a string, got a number"),
        (1, "checklist[1].text", "is empty"),
        (1, "checklist[2].text", "is missing"),
    ]


def test_researchrubrics() -> None:
    (record,) = read_records(DATA / "researchrubrics_good.jsonl")
    item = record.item
    assert item.id == "rr-17" and item.meta == {"domain": "economics", "sample_id": "rr-17"} and item.source == "researchrubrics"
    assert [(c.axis, c.weight) for c in item.criteria] == [
        ("Explicit Criteria", 4), ("Implicit Criteria", 3), ("Synthesis of Information", -3)]


def test_researchrubrics_problems(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "rr.jsonl", {"prompt": "q", "rubrics": [{"axis": "Implicit Criteria", "weight": "high"}]})
    assert problems(path, "researchrubrics") == [
        (1, "rubrics[0].criterion", "is missing"),
        (1, "rubrics[0].weight", "input should be a valid number, unable to parse string as a number")]


def test_checklist() -> None:
    listed, numbered, objects = read_records(DATA / "checklist_good.jsonl")
    assert listed.item.id == "ck-1" and [c.text for c in listed.item.criteria] == [
        "Has a title", "Is five lines with an AABBA rhyme scheme", "Does not use the word 'bug'"]
    assert numbered.item.id == "ck-2" and numbered.item.prompt.startswith("system: Answer only in French.")
    assert [c.text for c in numbered.item.criteria] == [
        "The whole reply is in French", "Gives exactly three tips", "Each tip is one sentence"]
    assert [(c.text, c.points) for c in objects.item.criteria] == [("Exactly two sentences", None),
                                                                  ("Gives a return date", 2)]


def test_checklist_problems(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "ck.jsonl",
                 {"prompt": "p", "checklist": ["a"], "requirements": ["b"]},
                 {"prompt": "p", "checklist": "Checklist:"},
                 {"checklist": ["a"]})
    assert problems(path, "checklist") == [
        (1, "requirements", "is given together with 'checklist'; give the requirements once"),
        (2, "checklist", "holds no requirement"),
        (3, "prompt", "is missing"),
    ]


# --- RIFT ---------------------------------------------------------------------------------------------------------

def test_rift_and_its_results_share_ids() -> None:
    rubrics = list(read_records(DATA / "rift_good.jsonl"))
    results = list(read_records(DATA / "rift_results_good.jsonl"))
    assert [r.item.id for r in rubrics] == [r.item.id for r in results[:2]]
    first = rubrics[0].item
    assert first.prompt == "Write a haiku about autumn rain." and first.source == "team-a"
    assert [(c.text, c.tags) for c in first.criteria] == [
        ("Has three lines", ("Hard Rule",)), ("Follows 5-7-5 syllables", ()), ("Is evocative", ("Principle",))]
    assert [c.text for c in rubrics[1].item.criteria] == ["Under 50 words", "Mentions the ghost", "Mentions Hamlet's death"]
    assert results[2].item.id == "r-9" and results[2].item.prompt == ""


def test_read_rift_results() -> None:
    rows = [(v.line, v.item_id, v.labels, v.votes) for v in read_rift_results(DATA / "rift_results_good.jsonl")]
    assert rows[0] == (1, "byo-1", ["subjective"], [["subjective"], ["subjective", "ungrounded"], []])
    assert rows[1][0] == 2 and rows[1][1].startswith("rubric-") and rows[1][2:] == ([], [[], []])
    assert rows[2] == (3, "r-9", ["subjective", "low_signal"], [["subjective", "low_signal"]])


def test_rift_results_problems(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "res.jsonl",
                 {"rubric_text": "- a", "labels": "subjective"},
                 {"rubric_text": "- a", "labels": [], "votes": [["x"], "y"]},
                 {"labels": []})
    with pytest.raises(InputError) as caught:
        list(read_rift_results(path))
    assert [(p.line, p.field) for p in caught.value.problems] == [(1, "labels"), (2, "votes[1]"), (3, "rubric_text")]


def test_rift_problems(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "byo.jsonl", {"input_context": "q", "rubric_text": "   "}, {"input_context": "q"})
    assert problems(path, "rift") == [(1, "rubric_text", "is empty"), (2, "rubric_text", "is missing")]
