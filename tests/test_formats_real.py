"""Every format on records copied from the published files (tests/data/real, origins in its README): the format
`auto` picks, and what becomes of each record (items, criteria, weights, steps, labels)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.formats import check_files, detect_format, read_records, read_rift_results, split_rubric
from annotator.core.predictions_io import import_predictions
from annotator.core.stats.agreement import agreement_report

REAL = Path(__file__).parent / "data" / "real"


@pytest.mark.parametrize(("name", "fmt", "criteria"), [
    ("advancedif.jsonl", "advancedif", [2, 1, 4]),
    ("wildchecklists.jsonl", "wildchecklists", [7, 6]),
    ("openrubrics.jsonl", "openrubrics", [12, 9]),
    ("autorubrics.jsonl", "autorubrics", [1, 1]),
    ("researchrubrics.jsonl", "researchrubrics", [1, 1]),
    ("healthbench.jsonl", "healthbench", [4, 2]),
    ("healthbench_professional.jsonl", "healthbench_professional", [5, 4]),
    ("rift_sample_rubrics.jsonl", "rift", [9, 6, 1, 1, 7, 6, 12, 9, 1, 1]),
    ("rift_results.jsonl", "rift-results", [9, 7, 12]),
])
def test_each_published_format_is_told_and_read(name: str, fmt: str, criteria: list[int]) -> None:
    assert detect_format(REAL / name) == fmt
    records = list(read_records(REAL / name))
    assert [len(r.item.criteria) for r in records] == criteria
    assert all(r.item.kind == "rubric" and r.item.prompt for r in records)


def test_advancedif_json_strings() -> None:
    first = next(iter(read_records(REAL / "advancedif.jsonl")))
    item = first.item
    assert [c.text for c in item.criteria] == [
        'Did the model not awaken due to the correct awakening word "genie" not being used?',
        "Did the model say nothing because it is not currently awake?"]
    assert item.prompt.startswith("user: I want to have a conversation with a genie")
    assert item.prompt.endswith("user: Gene, can I have a new car?")  # the last user turn last
    assert item.response.startswith("assistant: *A puff of smoke appears")
    assert item.meta == {"benchmark_name": "if_carried_context_oss"} and item.source == "advancedif"


def test_advancedif_as_parsed_lists(tmp_path: Path) -> None:
    """Viewers that decode the JSON strings give lists and objects: the same item."""
    raw = json.loads((REAL / "advancedif.jsonl").read_text().splitlines()[0])
    decoded = {**raw, "conversation_history": json.loads(raw["conversation_history"]),
               "prompt_metadata": {"rubrics": json.loads(json.loads(raw["prompt_metadata"])["rubrics"])}}
    path = tmp_path / "decoded.jsonl"
    path.write_text(json.dumps(decoded) + "\n", encoding="utf-8")
    [record] = read_records(path, "advancedif")
    [original] = list(read_records(REAL / "advancedif.jsonl"))[:1]
    assert record.item.criteria == original.item.criteria and record.item.prompt == original.item.prompt


def test_wildchecklists_nested_list_and_weights() -> None:
    letter, turkish = read_records(REAL / "wildchecklists.jsonl")
    assert [c.weight for c in letter.item.criteria] == [1.0, 1.0, 0.95, 0.95, 0.95, 0.95, 0.9]
    nested = letter.item.criteria[1].text.splitlines()
    assert nested[0] == "Does the response satisfy the following two criteria:"
    assert [line[:3] for line in nested[1:]] == ["1) ", "2) "]
    assert letter.item.criteria[2].text == "Does the letter include the address of Rose-Marie Hall?"
    # the weight written at the end of the nested block belongs to its criterion
    assert turkish.item.criteria[5].weight == 1.0 and "(importance" not in turkish.item.criteria[5].text


def test_openrubrics_tags_and_autorubrics_conversation() -> None:
    cost, shopify = read_records(REAL / "openrubrics.jsonl")
    assert [c.tags for c in shopify.item.criteria] == [("Hard Rule",)] * 3 + [("Principle",)] * 6
    german, strontium = read_records(REAL / "autorubrics.jsonl")
    assert german.item.prompt.startswith("user: Hi, please speak german\nassistant: Hello!")
    assert german.item.meta == {"rubric_valid": "True"}


def test_healthbench_professional_fields() -> None:
    consult, writing = read_records(REAL / "healthbench_professional.jsonl")
    assert consult.item.id == "hbp-ent-consult" and consult.item.source == "healthbench_professional"
    assert [c.points for c in writing.item.criteria] == [-8, 8, 10, -10]
    assert consult.item.meta == {"use_case": "consult", "type": "good_faith", "specialty": "ent"}


def test_healthbench_keeps_its_extras() -> None:
    first, second = read_records(REAL / "healthbench.jsonl")
    assert first.item.id == "1f548d5b-cd00-49a0-b327-283a2e00debd"
    assert [c.axis for c in first.item.criteria] == ["completeness", "completeness", "context_awareness", "accuracy"]
    assert first.item.meta == {"example_tags": ["theme:context_seeking", "physician_agreed_category:enough-context"]}
    assert second.item.prompt.splitlines()[-1] == "user: should i do medication"


def test_splitter_on_every_rift_sample_rubric() -> None:
    rows = [json.loads(line) for line in (REAL / "rift_sample_rubrics.jsonl").read_text().splitlines()]
    split = [split_rubric(row["rubric_text"]) for row in rows]
    assert [len(c) for c in split] == [9, 6, 1, 1, 7, 6, 12, 9, 1, 1]
    # AdvancedIF bullets: one question each, no marker left
    assert split[0][-1].text.startswith("Does the model include a portion in which Sheldon admits")
    # ResearchRubrics: axis and weight from the "[axis, weight w]" prefix RIFT writes
    assert [(c.axis, c.weight) for c in split[2] + split[3]] == [("Implicit Criteria", 2.0), ("Explicit Criteria", 4.0)]
    # OpenRubrics: the inline numbering runs to 12, each item tagged
    assert split[6][11].text.startswith("The response must") and all(c.tags for c in split[6])
    # Auto-Rubric: one narrative criterion, kept whole
    assert split[8][0].text.startswith("The better answer is evaluated")


def test_prm800k_two_labelers_meet_on_one_item(tmp_project) -> None:
    first, second = read_records(REAL / "prm800k.jsonl")
    assert first.item.id == second.item.id and len(first.item.steps) == 16
    assert first.item.reference_answer == "40,\\!000" and first.item.answer == "320,000"
    assert first.item.meta["ground_truth_solution"].startswith("The prime factorization")
    summary = tmp_project.import_items([REAL / "prm800k.jsonl"])
    assert summary.by_kind == {"trace": 1} and summary.labels == 6
    data = tmp_project.label_data("step_rating")
    assert sorted(set(data.done["annotator"])) == ["340d89bc-f5b7-45e9-b272-909ba68ee363", "labeler-b-made-up"]
    report = agreement_report(data, n_boot=0, min_shared=1)  # the solution has 3 rated steps: below the default
    # steps 2 and 3 agree (0, -1), step 1 does not (0 against +1)
    assert report["overall"]["percent_agreement"] == pytest.approx(2 / 3)
    assert report["overall"]["cohen_kappa_mean"] == pytest.approx(0.5)


def test_processbench_as_published_rates_up_to_the_earliest_wrong_step(tmp_project) -> None:
    """ProcessBench's `label` is the 0-based index of the earliest wrong step (-1: none): the steps before it are
    rated +1, it -1, none after it. The four records: a wrong second step, no wrong step, a wrong first step, and
    an eighth wrong step of twelve (OmniMath)."""
    assert detect_format(REAL / "processbench.json") == "processbench"
    published = json.loads((REAL / "processbench.json").read_text())
    summary = tmp_project.import_items([REAL / "processbench.json"])
    assert summary.formats == ["processbench"] and summary.by_kind == {"trace": 4}
    for record in published:
        item = tmp_project.items.get(record["id"])
        assert [s.text for s in item.steps] == record["steps"] and item.model == record["generator"]
        assert item.meta == {"first_error_step": record["label"],
                             "final_answer_correct": record["final_answer_correct"]}
        rated = {lab.target: lab.label for lab in tmp_project.labels.for_item(record["id"], "step_rating")}
        last = len(record["steps"]) - 1 if record["label"] == -1 else record["label"]
        assert rated == {f"step:s{i + 1}": "-1" if i == record["label"] else "+1" for i in range(last + 1)}
        assert tmp_project.completion.is_done(record["id"], "step_rating", "processbench")
    assert summary.labels == 2 + 8 + 1 + 8


def test_prm800k_phase1_follows_the_human_step(tmp_path: Path) -> None:
    path = tmp_path / "phase1.jsonl"
    record = {"labeler": "a", "timestamp": "2022-07-17T16:56:51.323252", "generation": None,
              "question": {"problem": "What is 1 + 1?", "ground_truth_answer": "2"},
              "label": {"steps": [
                  {"completions": [{"text": "1 + 1 = 3.", "rating": -1}], "human_completion": {"text": "1 + 1 = 2."},
                   "chosen_completion": None},
                  {"completions": [{"text": "# Answer\n\n2", "rating": 1}], "human_completion": None,
                   "chosen_completion": 0}], "finish_reason": "solution"}}
    path.write_text(json.dumps(record) + "\n" + json.dumps({**record, "labeler": "b"}) + "\n", encoding="utf-8")
    first, second = read_records(path)
    assert [s.text for s in first.item.steps] == ["1 + 1 = 2.", "# Answer\n\n2"]
    assert [(lab.target, lab.label) for lab in first.labels] == [("step:s2", "+1")]
    assert first.item.id == second.item.id and second.labels[0].annotator == "b"


def test_rift_results_as_run_py_writes_them(tmp_project) -> None:
    verdicts = list(read_rift_results(REAL / "rift_results.jsonl"))
    assert [v.votes for v in verdicts][:2] == [[["low_signal"], ["low_signal", "subjective"], []],
                                               [["non_atomic"], ["non_atomic"], ["non_atomic", "redundant_criteria"]]]
    assert [v.unscored for v in verdicts] == [None, None, "the judge call failed"]
    tmp_project.import_items([REAL / "rift_sample_rubrics.jsonl"])  # results find the rubrics they judged
    summary = import_predictions(tmp_project, [REAL / "rift_results.jsonl"], metric="judge")
    assert summary.items == 2 and summary.skipped == {"the judge call failed": 1}
    assert summary.line().endswith("; 1 record not scored (the judge call failed: 1)")
    scored = set(tmp_project.label_data("rift").scored["item_id"])
    assert verdicts[2].item_id not in scored and {verdicts[0].item_id, verdicts[1].item_id} <= scored
    shares = {p.label: p.score for p in tmp_project.predictions.for_item(verdicts[0].item_id, "rift", "judge")}
    assert shares == {"low_signal": pytest.approx(2 / 3, abs=1e-6), "subjective": pytest.approx(1 / 3, abs=1e-6)}


def test_a_git_lfs_pointer_is_one_line(run_cli) -> None:
    pointer = REAL / "prm800k_phase2_test.lfs-pointer.jsonl"
    [problem] = check_files([pointer])
    assert problem.line == 1 and "git lfs pull" in problem.message
    with pytest.raises(InputError) as caught:
        list(read_records(pointer))
    assert len(caught.value.problems) == 1
    code, out, err = run_cli("check", pointer)
    assert code == 1 and [line for line in err.splitlines() if "git lfs pull" in line]


def test_check_prints_the_format_it_chose(run_cli) -> None:
    code, out, err = run_cli("check", REAL / "wildchecklists.jsonl", REAL / "openrubrics.jsonl")
    assert code == 0
    assert f"{REAL / 'wildchecklists.jsonl'}: format wildchecklists (auto)" in err
    assert f"{REAL / 'openrubrics.jsonl'}: format openrubrics (auto)" in err
    code, out, err = run_cli("check", "--format", "checklist", REAL / "wildchecklists.jsonl")
    assert code == 0 and "format checklist (named)" in err


def test_a_result_without_votes_is_not_scored(tmp_path: Path) -> None:
    """An empty `votes` list is a judge that never answered; `[[], []]` is two answers that found nothing."""
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps({"input_context": "p", "rubric_text": "- a", "labels": ["subjective"], "votes": []})
                    + "\n" + json.dumps({"input_context": "p", "rubric_text": "- b", "labels": [], "votes": [[], []]})
                    + "\n", encoding="utf-8")
    assert [v.unscored for v in read_rift_results(path)] == ["no votes", None]
