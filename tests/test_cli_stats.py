"""The figure-computing commands, run as a user would: labels CSV files in, JSON out.

Published worked examples are reproduced through `annotator agreement FILE.csv`, and random data is checked
against scikit-learn and the krippendorff package directly.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
import sys
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from judge_server import JudgeServer, answer, dead_endpoint, echo, status  # noqa: E402

HEADER = ["item_id", "item_kind", "taxonomy", "annotator", "target", "label", "note", "created_at"]


def write_labels(path: Path, rows: list[tuple[str, str, str, str]], taxonomy: str) -> Path:
    """rows: (item, annotator, target, label) -> a long labels CSV."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(HEADER)
        for item, ann, target, label in rows:
            w.writerow([item, "", taxonomy, ann, target, label, "", ""])
    return path


def scale_taxonomy(path: Path, tid: str, labels: list[str], scale: str = "nominal") -> Path:
    lines = [f"id: {tid}", f"name: {tid}", "choice: single", f"scale: {scale}", "labels:"]
    lines += [f"  - {{id: '{lab}', name: 'value {lab}', target: item}}" for lab in labels]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def agreement_json(run_cli, *args) -> dict:
    code, out, err = run_cli("agreement", *args, "--json", "--bootstrap", "50")
    assert code == 0, err
    return json.loads(out)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units, values 1-5.
KRIPPENDORFF = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def test_krippendorff_published_example_through_the_command_line(run_cli, tmp_path):
    rows = [(f"u{j + 1}", ann, "item", str(v)) for ann, values in KRIPPENDORFF.items()
            for j, v in enumerate(values) if v is not None]
    labels = write_labels(tmp_path / "k.csv", rows, "k")
    nominal = agreement_json(run_cli, labels, "--taxonomy", scale_taxonomy(tmp_path / "kn.yaml", "k",
                                                                           list("12345")))
    assert round(nominal["overall"]["krippendorff_alpha"], 3) == 0.743
    ordinal = agreement_json(run_cli, labels, "--taxonomy", scale_taxonomy(tmp_path / "ko.yaml", "k",
                                                                           list("12345"), "ordinal"))
    assert round(ordinal["overall"]["krippendorff_alpha_ordinal"], 3) == 0.815


# Fleiss' kappa, the worked example of 10 subjects rated by 14 raters into 5 categories (kappa 0.210).
FLEISS_COUNTS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


def test_fleiss_worked_example_through_the_command_line(run_cli, tmp_path):
    rows = []
    for i, counts in enumerate(FLEISS_COUNTS):
        raters = iter(range(14))
        for category, n in enumerate(counts):
            for _ in range(n):
                rows.append((f"s{i + 1}", f"r{next(raters):02d}", "item", str(category + 1)))
    labels = write_labels(tmp_path / "f.csv", rows, "f")
    report = agreement_json(run_cli, labels, "--taxonomy", scale_taxonomy(tmp_path / "f.yaml", "f", list("12345")))
    assert round(report["overall"]["fleiss_kappa"], 3) == 0.210


def test_cohen_textbook_example_through_the_command_line(run_cli, tmp_path):
    # 50 grant proposals read by two reviewers: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> kappa 0.4
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    rows = [row for i, (a, b) in enumerate(pairs) for row in ((f"p{i}", "A", "item", a), (f"p{i}", "B", "item", b))]
    labels = write_labels(tmp_path / "c.csv", rows, "c")
    report = agreement_json(run_cli, labels, "--taxonomy", scale_taxonomy(tmp_path / "c.yaml", "c", ["yes", "no"]))
    assert report["pairs"][0]["cohen_kappa"] == pytest.approx(0.4, abs=1e-12)
    assert report["overall"]["percent_agreement"] == pytest.approx(0.7, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_single_choice_data_agrees_with_sklearn_and_krippendorff(run_cli, tmp_path, seed):
    rng = np.random.default_rng(seed)
    annotators, n_units, cats = ["a", "b", "c", "d"], 60, ["w", "x", "y", "z"]
    truth = rng.integers(0, 4, n_units)
    matrix = np.where(rng.random((4, n_units)) < 0.7, truth, rng.integers(0, 4, (4, n_units))).astype(float)
    matrix[rng.random((4, n_units)) < 0.15] = np.nan  # some annotators skipped some units
    rows = [(f"u{j:03d}", annotators[i], "item", cats[int(matrix[i, j])])
            for i in range(4) for j in range(n_units) if not math.isnan(matrix[i, j])]
    labels = write_labels(tmp_path / "r.csv", rows, "r")
    report = agreement_json(run_cli, labels, "--taxonomy", scale_taxonomy(tmp_path / "r.yaml", "r", cats))
    # only units somebody finished are units; keep columns with at least one value, as the CSV does
    kept = matrix[:, ~np.all(np.isnan(matrix), axis=0)]
    expected_alpha = krippendorff.alpha(reliability_data=kept, level_of_measurement="nominal")
    assert report["overall"]["krippendorff_alpha"] == pytest.approx(expected_alpha, abs=1e-9)
    kappas = []
    for i, j in itertools.combinations(range(4), 2):
        both = ~np.isnan(kept[i]) & ~np.isnan(kept[j])
        kappas.append(cohen_kappa_score(kept[i, both], kept[j, both]))
    assert report["overall"]["cohen_kappa_mean"] == pytest.approx(float(np.mean(kappas)), abs=1e-9)


def test_agreement_html_report_is_written(run_cli, tmp_path):
    rows = [(f"u{j + 1}", ann, "item", str(v)) for ann, values in KRIPPENDORFF.items()
            for j, v in enumerate(values) if v is not None]
    labels = write_labels(tmp_path / "k.csv", rows, "k")
    out = tmp_path / "report.html"
    code, _, err = run_cli("agreement", labels, "--taxonomy", scale_taxonomy(tmp_path / "k.yaml", "k", list("12345")),
                           "--bootstrap", "50", "--html", out)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # nothing to fetch: opens offline


def test_agreement_on_a_project_with_no_labels_reports_undefined_figures(run_cli, tmp_path):
    path = tmp_path / "empty.sqlite"
    assert run_cli("init", path)[0] == 0
    report = agreement_json(run_cli, path)
    assert report["overall"]["krippendorff_alpha"] is None
    assert report["overall"]["krippendorff_alpha_reason"]


# --- F1 against scikit-learn through the command line ----------------------------------------------------
def test_f1_matches_sklearn_on_random_data(run_cli, tmp_path):
    rng = np.random.default_rng(7)
    n_items = 40
    items = tmp_path / "items.jsonl"
    with items.open("w", encoding="utf-8") as handle:
        for i in range(n_items):
            handle.write(json.dumps({"id": f"r{i}", "kind": "rubric", "prompt": f"Task {i}",
                                     "criteria": [f"Criterion {k} of task {i}" for k in range(3)]}) + "\n")
    project = tmp_path / "p.sqlite"
    assert run_cli("init", project, "--taxonomy", "rift")[0] == 0
    assert run_cli("import", project, items)[0] == 0
    label = "subjective"
    units = [(f"r{i}", f"criterion:c{k + 1}") for i in range(n_items) for k in range(3)]
    truth = rng.random(len(units)) < 0.35
    rows, votes = [], np.zeros(len(units))
    for ann in ("a", "b", "c"):
        said = np.where(rng.random(len(units)) < 0.8, truth, ~truth)
        votes += said
        rows += [(u[0], ann, u[1], label) for u, s in zip(units, said) if s]
        rows += [(f"r{i}", ann, "item", "") for i in range(n_items)]  # every item done by every annotator
    assert run_cli("labels", "import", project, write_labels(tmp_path / "l.csv", rows, "rift"))[0] == 0
    scores = np.round(rng.random(len(units)), 3)
    with (tmp_path / "pred.csv").open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["item_id", "taxonomy", "metric", "target", "label", "score"])
        for (item, target), s in zip(units, scores):
            w.writerow([item, "rift", "m", target, label, s])
    assert run_cli("predictions", "import", project, tmp_path / "pred.csv")[0] == 0
    for threshold in (0.3, 0.5, 0.8):
        code, out, err = run_cli("f1", project, "--metric", "m", "--threshold", threshold, "--json")
        assert code == 0, err
        report = json.loads(out)
        gold = votes >= 2  # strict majority of three
        pred = scores >= threshold
        got = report["labels"][label]
        assert got["f1"] == pytest.approx(f1_score(gold, pred), abs=1e-12)
        assert got["precision"] == pytest.approx(precision_score(gold, pred), abs=1e-12)
        assert got["recall"] == pytest.approx(recall_score(gold, pred), abs=1e-12)
        assert got["support"] == int(gold.sum())


# --- the sample project: built-in metrics, F1, alt-test, judge -------------------------------------------
def test_metrics_run_then_f1_on_the_sample_project(run_cli, sample_copy, tmp_path):
    code, out, err = run_cli("metrics", "run", sample_copy)
    assert code == 0, err
    assert "metric heuristic: scored 40 items" in out
    code, out, err = run_cli("f1", sample_copy, "--metric", "heuristic", "--json", "--html", tmp_path / "f1.html")
    assert code == 0, err
    report = json.loads(out)
    assert set(report["labels"]) == {"subjective", "non_atomic", "ungrounded", "misaligned_or_rigid",
                                      "missing_criteria", "hackable", "low_signal", "redundant_criteria"}
    assert 0.0 <= report["micro_f1"] <= 1.0 and report["human_ceiling"]
    assert "<svg" in (tmp_path / "f1.html").read_text(encoding="utf-8")
    code, out, err = run_cli("f1", sample_copy, "--metric", "nope")
    assert code == 1 and "nope" in err


def test_alt_test_json_on_the_sample_project(run_cli, sample_copy):
    code, out, err = run_cli("alt-test", sample_copy, "--metric", "judge-small", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert {"metric", "taxonomy", "epsilon", "q", "winning_rate", "passed", "advantage_probability",
            "annotators"} <= set(result)
    assert result["epsilon"] == 0.2 and {a["annotator"] for a in result["annotators"]} >= {"alice", "bob", "chen"}
    code, out, _ = run_cli("alt-test", sample_copy, "--metric", "judge-small")
    assert code == 0 and "alternative annotator test" in out


def test_judge_run_against_a_local_server(run_cli, sample_copy, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_JUDGE_API_KEY", "secret-key")
    reply = answer([{"label": "low_signal", "target": "item", "quote": "generic"}])
    with JudgeServer(default=reply) as server:
        args = ("judge", "run", sample_copy, "--taxonomy", "rift", "--endpoint", server.url, "--model", "tiny",
                "--votes", "2", "--limit", "3")
        code, out, err = run_cli(*args)
        assert code == 0, err
        assert "metric tiny: 3 items scored" in out and len(server.requests) == 6
        assert all(r["headers"].get("Authorization") == "Bearer secret-key" for r in server.requests)
        code, out, err = run_cli(*args)  # a rerun is answered from the project's cache
        assert code == 0 and len(server.requests) == 6 and "6 votes from the cache" in out
    from annotator.core import Project

    with Project.open(sample_copy) as project:
        preds = [p for i in ("if-01", "if-02", "if-03") for p in project.predictions.for_item(i, "rift", "tiny")]
    assert {(p.label, p.score) for p in preds} == {("low_signal", 1.0)}


def _judge_args(project, url: str, *more: str) -> tuple:
    return ("judge", "run", project, "--taxonomy", "rift", "--endpoint", url, "--model", "tiny", *more)


def test_judge_run_against_a_dead_endpoint_exits_1_and_stores_nothing(run_cli, sample_copy):
    from annotator.core import Project

    with Project.open(sample_copy) as project:
        rubrics = project.items.counts_by_kind()["rubric"]
        before = project.info()
    code, out, err = run_cli(*_judge_args(sample_copy, dead_endpoint()))
    assert code == 1 and "Traceback" not in err
    assert f"metric tiny: 0 of {rubrics} items scored, nothing stored; 5 requests" in out
    assert f"{rubrics} of {rubrics} items not scored: 1 had every vote fail, {rubrics - 1} were not judged; nothing " \
           "stored. The run stopped: endpoint unreachable (5 requests in a row failed; last: cannot reach" in err
    with Project.open(sample_copy) as project:
        assert "tiny" not in project.predictions.metrics() and "tiny" not in project.annotators(kind="metric")
        assert project.info() == before


def test_judge_run_with_an_item_left_unscored_exits_1_and_stores_the_rest(run_cli, sample_copy):
    reply = answer([{"label": "low_signal", "target": "item"}])
    with JudgeServer([status(400, message="context too long")] * 2, default=reply) as server:
        code, out, err = run_cli(*_judge_args(sample_copy, server.url, "--votes", "2", "--limit", "3"))
    assert code == 1 and len(server.requests) == 6
    assert "metric tiny: 2 of 3 items scored, 2 predictions stored; 6 requests" in out
    assert "1 of 3 items not scored: 1 had every vote fail" in err and "not judged" not in err
    assert "if-01: vote 1: judge endpoint answered HTTP 400: context too long" in err
    from annotator.core import Project

    with Project.open(sample_copy) as project:
        assert project.predictions.for_item("if-01", "rift", "tiny") == []
        assert {p.score for i in ("if-02", "if-03") for p in project.predictions.for_item(i, "rift", "tiny")} == {1.0}


def test_judge_run_never_prints_the_key_a_server_echoes(run_cli, sample_copy, monkeypatch):
    secret = "sk-proj-ZZsecretZZ0123456789"
    monkeypatch.setenv("ANNOTATOR_JUDGE_API_KEY", secret)
    with JudgeServer(default=echo(401)) as server:
        code, out, err = run_cli(*_judge_args(sample_copy, server.url, "--votes", "1"))
    assert code == 1 and len(server.requests) == 5  # refused five times in a row: the run stops
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {secret}"
    assert "Bearer [redacted]" in err and "the endpoint refuses the requests" in err
    assert secret not in out + err and "ZZsecret" not in out + err


def test_export_to_an_unwritable_place_exits_1(run_cli, sample_copy, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    code, _, err = run_cli("export", sample_copy, "-o", blocker / "out.csv")
    assert code == 1 and "Traceback" not in err and "afile" in err
