"""`annotator agreement`, `f1` and `alt-test` options from the command line: irrCAC's published ratings read
from a labels CSV, the default annotator set, and usage errors that exit 2 with one line."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from annotator.cli import main

DATA = Path(__file__).resolve().parent / "data" / "irrcac"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_irrcac_raw4raters_from_a_labels_csv(capsys):
    code, out, _ = run(capsys, "agreement", str(DATA / "raw4raters.csv"), "--taxonomy", str(DATA / "rating5.yaml"),
                       "--json", "--bootstrap", "200")
    assert code == 0
    report = json.loads(out)
    o = report["overall"]
    assert o["percent_agreement"] == pytest.approx(0.8181818, abs=1e-7)  # per unit, not pooled (0.782)
    assert o["fleiss_kappa"] == pytest.approx(0.76117, abs=5e-6)       # with missing ratings (0.1: 0.64)
    assert o["gwet_ac1"] == pytest.approx(0.77544, abs=5e-6)
    assert o["krippendorff_alpha"] == pytest.approx(0.74342, abs=5e-6)
    assert o["conger_kappa"] == pytest.approx(0.76282, abs=5e-6)
    assert o["brennan_prediger"] == pytest.approx(0.77273, abs=5e-6)
    assert o["fleiss_kappa_ci"][0] < o["fleiss_kappa"] < o["fleiss_kappa_ci"][1]
    assert report["annotators"] == ["Rater1", "Rater2", "Rater3", "Rater4"]
    # only two pairs of raters share 10 subjects (the default --min-shared); the mean is over those
    assert [(p["a"], p["b"], p["units"]) for p in report["pairs"]] == [("Rater2", "Rater4", 10),
                                                                      ("Rater3", "Rater4", 10)]
    assert report["pairs_left_out"] == 4
    kappas = [p["cohen_kappa"] for p in report["pairs"]]
    assert o["cohen_kappa_mean"] == pytest.approx(sum(kappas) / 2)
    code, out, _ = run(capsys, "agreement", str(DATA / "raw4raters.csv"), "--taxonomy", str(DATA / "rating5.yaml"),
                       "--json", "--bootstrap", "0", "--min-shared", "8")
    assert len(json.loads(out)["pairs"]) == 6


def test_an_annotator_below_min_items_is_left_out_with_the_count(capsys, tmp_path):
    csv_path = tmp_path / "labels.csv"
    shutil.copy(DATA / "raw4raters.csv", csv_path)
    with csv_path.open("a", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["subject01", "rubric", "rating5", "Newcomer", "item", "r5", "", ""])
        w.writerow(["subject02", "rubric", "rating5", "Newcomer", "item", "r5", "", ""])
    args = ["agreement", str(csv_path), "--taxonomy", str(DATA / "rating5.yaml"), "--bootstrap", "0"]
    code, out, _ = run(capsys, *args, "--json")
    report = json.loads(out)
    assert report["annotators_left_out"] == {"Newcomer": 2} and "Newcomer" not in report["annotators"]
    assert report["overall"]["fleiss_kappa"] == pytest.approx(0.76117, abs=5e-6)
    code, out, _ = run(capsys, *args)
    assert "left out" in out and "Newcomer (2)" in out
    code, out, _ = run(capsys, *args, "--json", "--min-items", "2")
    assert "Newcomer" in json.loads(out)["annotators"]


@pytest.mark.parametrize("argv, what", [
    (["f1", "x.sqlite", "--metric", "m", "--threshold", "1.5"], "--threshold"),
    (["f1", "x.sqlite", "--metric", "m", "--threshold", "-0.1"], "--threshold"),
    (["alt-test", "x.sqlite", "--metric", "m", "--epsilon", "1.5"], "--epsilon"),
    (["alt-test", "x.sqlite", "--metric", "m", "--epsilon", "0"], "--epsilon"),
    (["alt-test", "x.sqlite", "--metric", "m", "--q", "2"], "--q"),
    (["agreement", "x.csv", "--bootstrap", "-5"], "--bootstrap"),
    (["agreement", "x.csv", "--min-items", "0"], "--min-items"),
    (["agreement", "x.csv", "--min-shared", "0"], "--min-shared"),
])
def test_out_of_range_options_are_usage_errors(capsys, argv, what):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and what in lines[0] and "Traceback" not in err


def test_span_figures_need_the_items_and_step_spans_count(capsys, tmp_path):
    """From a labels CSV alone a span figure is undefined (text lengths unknown); with --items it is defined,
    spans over the whole trace count on the steps they overlap, and every step is a unit."""
    items = tmp_path / "items.jsonl"
    steps = ["Speed is zero at the top.", "h = u^2 / (2g).", "h = 144 / 19.6 = 7.35 m."]
    items.write_text("\n".join(json.dumps({"id": f"t{k}", "kind": "trace", "problem": "How high?",
                                           "trace": "\n\n".join(steps)}) for k in range(1, 7)) + "\n")
    rows = []
    for k in range(1, 7):
        for who in ("ana", "ben", "cai"):
            rows.append([f"t{k}", "trace", "reasoning_errors", who, "item", "", "", ""])  # finished, no label
        rows.append([f"t{k}", "trace", "reasoning_errors", "ana", "span:s3:4-10", "calculation", "", ""])
        rows.append([f"t{k}", "trace", "reasoning_errors", "ben", "span:s3:4-12", "calculation", "", ""])
        # a span over the whole trace text, inside step 2 (step 1 is 25 characters and a blank line)
        rows.append([f"t{k}", "trace", "reasoning_errors", "cai", "span:trace:27-35", "calculation", "", ""])
    labels = tmp_path / "labels.csv"
    with labels.open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["item_id", "item_kind", "taxonomy", "annotator", "target", "label", "note", "created_at"])
        w.writerows(rows)
    base = ["agreement", str(labels), "--json", "--bootstrap", "0", "--min-shared", "1"]
    code, out, _ = run(capsys, *base)
    alone = json.loads(out)
    assert alone["spans"]["calculation"]["alpha"] is None
    assert "--items" in alone["spans"]["calculation"]["alpha_reason"]
    assert alone["units"] == 6  # only the steps the CSV names: s3 of each trace
    code, out, _ = run(capsys, *base, "--items", str(items))
    full = json.loads(out)
    span = full["spans"]["calculation"]
    assert span["alpha"] is not None and span["characters"] > 0
    assert full["units"] == 18  # every step of every trace
    assert full["labels"]["calculation"]["prevalence"]["cai"] == pytest.approx(1 / 3)  # step 2 of each trace


@pytest.fixture(scope="module")
def sample_project(module_sample) -> str:
    assert main(["metrics", "run", module_sample]) == 0
    return module_sample


def test_f1_and_alt_test_use_the_same_annotator_choice(capsys, sample_project):
    code, out, _ = run(capsys, "f1", sample_project, "--metric", "heuristic", "--json")
    assert code == 0
    f1 = json.loads(out)
    assert f1["annotators_left_out"] == {}
    code, out, _ = run(capsys, "alt-test", sample_project, "--metric", "heuristic", "--json")
    assert code == 0 and json.loads(out)["annotators_left_out"] == {}
    # more than the taxonomy has: only those who finished every item count, the same in f1 and agreement
    code, out, _ = run(capsys, "f1", sample_project, "--metric", "heuristic", "--min-items", "1000", "--json")
    left = json.loads(out)["annotators_left_out"]
    code, out, _ = run(capsys, "agreement", sample_project, "--taxonomy", "rift", "--min-items", "1000",
                       "--bootstrap", "0", "--json")
    report = json.loads(out)
    assert report["annotators_left_out"] == left
    assert report["annotators"] and all(n < report["items"] for n in left.values())
