"""Per-annotator reliability and the anchoring comparison in `annotator agreement` and `annotator f1`, on a
small project built here: two careful annotators, one who answers at random, and a metric whose suggestions one
careful annotator saw on half the items and followed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from annotator.cli import main
from annotator.core import Project
from annotator.core.model import Prediction

N_ITEMS = 30
SHOWN = 15      # alice saw the judge's suggestions on the first SHOWN items
ANSWERS = N_ITEMS * (2 * 5 + 3)   # items x (two criteria x five criterion labels + three rubric labels)


def _build(path, make_jsonl, suggestions: bool = True) -> None:
    """The judge flags c1 of every even item, which is the truth. Alice follows the judge where she sees it and
    errs on every fourth item where she does not; Bob is always right; Carl flips a coin."""
    records = [{"id": f"r{k:02d}", "kind": "rubric", "prompt": f"Task {k}", "criteria": ["Is clear", "Is short"]}
               for k in range(N_ITEMS)]
    rng = np.random.default_rng(7)
    with Project.create(path, taxonomies=["rift"]) as p:
        p.import_items([make_jsonl("r.jsonl", records)])
        items = [f"r{k:02d}" for k in range(N_ITEMS)]
        preds = [Prediction(item_id=items[k], taxonomy="rift", metric="judge", target="criterion:c1",
                            label="subjective", score=0.9) for k in range(0, N_ITEMS, 2)]
        p.predictions.store("rift", "judge", items, preds)
        for k, item in enumerate(items):
            truth = k % 2 == 0
            alice = truth if k < SHOWN else truth != (k % 4 == 3)
            if suggestions and k < SHOWN:
                p.suggestions.record_shown(item, "rift", "alice", "judge")
            for name, on in (("alice", alice), ("bob", truth), ("carl", bool(rng.random() < 0.5))):
                if on:
                    p.labels.toggle(item, "rift", name, "criterion:c1", "subjective")
                p.completion.set_done(item, "rift", name)


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """The project with suggestion records, built once for the module (hundreds of writes); tests get copies."""
    folder = tmp_path_factory.mktemp("anchoring")

    def make_jsonl(name: str, records: list[dict]) -> Path:
        path = folder / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path

    path = folder / "p.sqlite"
    _build(path, make_jsonl)  # closed on return: the file is whole, ready to copy
    return path


@pytest.fixture
def project_path(tmp_path, built_project):
    path = tmp_path / "p.sqlite"
    shutil.copyfile(built_project, path)
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_agreement_json_gives_each_annotators_reliability_and_the_anchoring_comparison(capsys, project_path):
    code, out = run(capsys, "agreement", project_path, "--json", "--bootstrap", "200")
    assert code == 0
    report = json.loads(out)
    rel = report["reliability"]
    assert rel["method"] == "dawid-skene"
    assert set(rel["annotators"]) == {"alice", "bob", "carl"}
    assert all(entry["answers"] == ANSWERS for entry in rel["annotators"].values())
    scores = {name: entry["reliability"] for name, entry in rel["annotators"].items()}
    assert scores["carl"] < min(scores["alice"], scores["bob"])
    assert scores["alice"] < scores["bob"] <= 1.0
    assert "no interval" in rel["note"]

    anch = report["anchoring"]["judge"]
    assert anch["with"]["items"] == SHOWN and anch["with"]["annotations"] == SHOWN
    assert anch["without"]["items"] == N_ITEMS
    assert anch["without"]["annotations"] == 2 * N_ITEMS + (N_ITEMS - SHOWN)
    assert anch["with"]["cohen_kappa"] == pytest.approx(1.0)
    assert anch["difference"]["cohen_kappa"] == pytest.approx(1.0 - anch["without"]["cohen_kappa"])
    low, high = anch["difference"]["cohen_kappa_ci"]
    assert 0 < low <= anch["difference"]["cohen_kappa"] <= high
    assert "note" not in anch


def test_mace_none_and_a_named_metric(capsys, project_path):
    _, out = run(capsys, "agreement", project_path, "--json", "--bootstrap", "0", "--reliability", "mace")
    rel = json.loads(out)["reliability"]
    assert rel["method"] == "mace"
    assert rel["annotators"]["carl"]["reliability"] < rel["annotators"]["bob"]["reliability"]
    _, out = run(capsys, "agreement", project_path, "--json", "--bootstrap", "0", "--reliability", "none")
    assert "reliability" not in json.loads(out)
    # the three chosen annotators only: leaving alice out leaves nobody who saw suggestions
    _, out = run(capsys, "agreement", project_path, "--json", "--bootstrap", "0", "--annotators", "bob,carl")
    report = json.loads(out)
    assert set(report["reliability"]["annotators"]) == {"bob", "carl"}
    assert report["anchoring"]["judge"]["with"]["decisions"] == 0
    assert "no annotator was shown" in report["anchoring"]["judge"]["note"]
    with pytest.raises(SystemExit) as bad:
        main(["agreement", project_path, "--reliability", "glad"])
    assert bad.value.code == 2
    assert main(["agreement", project_path, "--metric", "nobody", "--bootstrap", "0"]) == 1


def test_no_suggestion_records_means_no_anchoring_section_unless_a_metric_is_named(capsys, tmp_path, make_jsonl):
    path = tmp_path / "plain.sqlite"
    _build(path, make_jsonl, suggestions=False)
    _, out = run(capsys, "agreement", str(path), "--json", "--bootstrap", "0")
    assert "anchoring" not in json.loads(out)
    _, out = run(capsys, "agreement", str(path), "--json", "--bootstrap", "0", "--metric", "judge")
    assert "no annotator was shown" in json.loads(out)["anchoring"]["judge"]["note"]


def test_agreement_text_and_html_show_both_sections(capsys, project_path, tmp_path):
    page = tmp_path / "a.html"
    code, out = run(capsys, "agreement", project_path, "--bootstrap", "100", "--html", str(page))
    assert code == 0
    assert "Per-annotator reliability (Dawid-Skene" in out
    assert "Anchoring: agreement of the humans with judge" in out
    rows = [line.split() for line in out.splitlines()]
    assert ["with", "suggestions", str(SHOWN), str(SHOWN)] == [*rows[[r[:2] for r in rows].index(
        ["with", "suggestions"])][:4]]
    html = page.read_text(encoding="utf-8")
    assert "<h2>Per-annotator reliability (Dawid-Skene)</h2>" in html
    assert "Anchoring: agreement with a metric with and without its suggestions" in html
    section = html[html.index("Per-annotator reliability ("):html.index("Anchoring: agreement with")]
    assert all(f"<td>{name}</td>" in section for name in ("alice", "bob", "carl"))


def test_f1_json_and_html_carry_the_anchoring_comparison(capsys, project_path, tmp_path):
    page = tmp_path / "f1.html"
    code, out = run(capsys, "f1", project_path, "--metric", "judge", "--json", "--html", str(page))
    assert code == 0
    anch = json.loads(out)["anchoring"]
    assert anch["metric"] == "judge" and anch["with"]["items"] == SHOWN
    assert anch["with"]["cohen_kappa"] == pytest.approx(1.0)
    assert anch["difference"]["cohen_kappa_ci"][0] > 0
    assert "Anchoring: agreement with a metric" in page.read_text(encoding="utf-8")
    _, out = run(capsys, "f1", project_path, "--metric", "judge", "--json", "--annotators", "bob,carl")
    assert "no annotator was shown" in json.loads(out)["anchoring"]["note"]


def test_a_labels_csv_gets_reliability_but_no_anchoring(capsys):
    from pathlib import Path

    data = Path(__file__).resolve().parent / "data" / "irrcac"
    args = ["agreement", str(data / "raw4raters.csv"), "--taxonomy", str(data / "rating5.yaml"), "--bootstrap", "0"]
    _, out = run(capsys, *args, "--json")
    report = json.loads(out)
    assert "anchoring" not in report
    answers = {name: entry["answers"] for name, entry in report["reliability"]["annotators"].items()}
    assert answers == {"Rater1": 9, "Rater2": 10, "Rater3": 11, "Rater4": 11}   # the ratings each rater gave
    assert main([*args, "--metric", "judge"]) == 2
