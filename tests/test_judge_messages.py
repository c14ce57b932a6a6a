"""The judge's prompt (guidelines, fenced item text, target ids) and the reading of its answers."""

from __future__ import annotations

import json

import pytest

from annotator.core.judge import AnswerError, build_messages, extract_json, parse_answer
from annotator.core.judge.prompt import fence
from annotator.core.taxonomy import Taxonomy

try:
    from judge_server import judge_items, judge_taxonomy
except ImportError:  # tests/ made a package
    from tests.judge_server import judge_items, judge_taxonomy

TAX = judge_taxonomy()
RUBRIC, TRACE, CAPTION = judge_items()


def test_system_prompt_carries_the_guidelines_of_usable_labels_only():
    system, user = build_messages(TAX, RUBRIC)
    assert system["role"] == "system" and user["role"] == "user"
    text = system["content"]
    for part in ("Mini rubric faults", "The criterion rests on a judgement word", "Words like good or clear",
                 "backed by a checklist", "The essay is well written.", "at most 3 typos", '"criterion:<id>"',
                 '{"labels": [{"label"', "never as instructions"):
        assert part in text
    assert "### vague" in text and "### gap" in text
    assert "### slip" not in text  # a rubric has no steps
    trace_system = build_messages(TAX, TRACE)[0]["content"]
    assert "### slip" in trace_system and "### vague" not in trace_system


def test_user_message_lays_out_the_item_with_its_target_ids():
    user = build_messages(TAX, RUBRIC)[1]["content"]
    assert "[criterion:c1] The poem is good." in user and "[criterion:c2]" in user
    assert "Write a haiku about rain." in user
    trace_user = build_messages(TAX, TRACE)[1]["content"]
    assert "Step 1 [step:s1]\n3 * 4 = 12" in trace_user and "Step 2 [step:s2]" in trace_user
    assert "Reference answer:" in trace_user and "14" in trace_user
    caption_user = build_messages(TAX, CAPTION)[1]["content"]
    assert "A red bus." in caption_user and "[criterion:c1] Colour" in caption_user


def test_item_text_cannot_close_its_fence():
    text = "before ```` inside ``` after"
    fenced = fence(text, "data")
    bar = fenced.split("data", 1)[0]
    assert len(bar) == 5 and fenced.endswith("\n" + bar)
    user = build_messages(TAX, RUBRIC)[1]["content"]
    # the criterion text holds a ``` run, so the criteria fence is four backticks long
    assert "````criteria\n" in user


def test_messages_are_the_same_for_the_same_item():
    assert build_messages(TAX, RUBRIC) == build_messages(TAX, RUBRIC)


def test_single_choice_prompt_says_one_label_per_target():
    tax = Taxonomy.model_validate({"id": "v", "name": "Verdict", "choice": "single", "scale": "ordinal",
                                   "labels": [{"id": k, "name": k, "target": "criterion"}
                                              for k in ("not_met", "met")]})
    assert "exactly one label" in build_messages(tax, CAPTION)[0]["content"]
    assert "not_met < met" in build_messages(tax, CAPTION)[0]["content"]


# --- answers ----------------------------------------------------------------------------------------------------
def test_plain_fenced_and_wrapped_json_are_read():
    body = {"labels": [{"label": "vague", "target": "criterion:c1", "quote": "good"}]}
    for text in (json.dumps(body), "```json\n" + json.dumps(body) + "\n```", "Sure! " + json.dumps(body) + " Done."):
        assert parse_answer(text, TAX, RUBRIC).given == {("criterion:c1", "vague")}


def test_target_left_out_means_the_item_and_empty_list_means_nothing():
    assert parse_answer('{"labels": [{"label": "gap"}]}', TAX, RUBRIC).given == {("item", "gap")}
    empty = parse_answer('{"labels": []}', TAX, RUBRIC)
    assert empty.given == set() and empty.errors == []


def test_bad_entries_are_reported_and_dropped():
    body = {"labels": [
        {"label": "vague", "target": "criterion:c1"},
        {"label": "nonsense", "target": "criterion:c1"},
        {"label": "vague", "target": "criterion:c9"},
        {"label": "vague", "target": "item"},
        {"label": "gap", "target": "criterion:c2"},
        {"label": "vague", "target": "row 3"},
    ]}
    parsed = parse_answer(json.dumps(body), TAX, RUBRIC)
    assert parsed.given == {("criterion:c1", "vague")}
    assert len(parsed.errors) == 5
    joined = "\n".join(parsed.errors)
    assert "unknown label 'nonsense'" in joined and "no target 'criterion:c9'" in joined
    assert "given on the criterion, not on 'item'" in joined and "is not a target" in joined


def test_span_targets_count_on_their_step():
    whole = "3 * 4 = 12\n\n2 + 12 = 15"
    start = whole.index("15")
    body = {"labels": [{"label": "slip", "target": f"span:trace:{start}-{start + 2}"},
                       {"label": "slip", "target": "span:s1:0-5"},
                       {"label": "slip", "target": "span:s1:0-500"}]}
    parsed = parse_answer(json.dumps(body), TAX, TRACE)
    assert parsed.given == {("step:s2", "slip"), ("step:s1", "slip")}
    assert len(parsed.errors) == 1 and "not inside" in parsed.errors[0]


def test_single_choice_unit_with_two_labels_keeps_none():
    tax = Taxonomy.model_validate({"id": "v", "name": "Verdict", "choice": "single",
                                   "labels": [{"id": k, "name": k, "target": "criterion"} for k in ("no", "yes")]})
    body = {"labels": [{"label": "no", "target": "criterion:c1"}, {"label": "yes", "target": "criterion:c1"},
                       {"label": "yes", "target": "criterion:c2"}]}
    parsed = parse_answer(json.dumps(body), tax, RUBRIC)
    assert parsed.given == {("criterion:c2", "yes")}
    assert "one label expected" in parsed.errors[0]


@pytest.mark.parametrize("text", ['{"labels": [{"label": "vague", "target": ', "no json here", '{"verdict": 1}',
                                  '{"labels": "vague"}', '[1, 2]', '{"labels": [{"target": "item"}]}'])
def test_unreadable_answers_fail_the_whole_vote(text):
    with pytest.raises(AnswerError):
        parse_answer(text, TAX, RUBRIC)


def test_extract_json_prefers_the_whole_reply():
    assert extract_json('{"a": "```json x```"}') == {"a": "```json x```"}
