"""The command line (DESIGN section 7), run in-process through `main(argv)`, plus one run of the installed
console script. Exit codes: 0 success, 1 bad input with `file:line:` on stderr, 2 a usage error."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pytest

from annotator import __version__
from annotator.core import Project
from annotator.core.sample import sample_dir
from annotator.core.taxonomy import builtin_taxonomies

FORMATS_DATA = Path(__file__).resolve().parent / "data" / "formats"
INFO_KEYS = ["items", "annotators", "labels", "done", "taxonomies"]
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): ", re.M)


def info_json(run_cli, project: Path) -> dict:
    code, out, err = run_cli("info", project, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def project(tmp_path, run_cli, items_file) -> Path:
    """A project made with `init`, holding the small items imported with `import`."""
    path = tmp_path / "cli.sqlite"
    assert run_cli("init", path)[0] == 0
    assert run_cli("import", path, items_file)[0] == 0
    return path


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0 and out.strip() == f"annotator {__version__}"


@pytest.mark.parametrize("argv", [["frobnicate"], ["import"], ["export", "p.sqlite"], ["labels"],
                                  ["info", "p.sqlite", "--colour"]])
def test_usage_errors_exit_2(run_cli, argv):
    code, out, err = run_cli(*argv)
    assert code == 2 and out == "" and err


def test_init_with_every_builtin_taxonomy(run_cli, tmp_path):
    path = tmp_path / "all.sqlite"
    code, out, _ = run_cli("init", path)
    assert code == 0 and out.startswith("created")
    assert info_json(run_cli, path)["taxonomies"] == list(builtin_taxonomies())


def test_init_with_a_builtin_id_and_a_user_file(run_cli, tmp_path):
    yaml_file = tmp_path / "tone.yaml"
    yaml_file.write_text("id: tone\nname: Tone\napplies_to: [rubric]\nlabels:\n"
                         "  - {id: curt, name: Curt, target: item}\n", encoding="utf-8")
    path = tmp_path / "some.sqlite"
    code, out, err = run_cli("init", path, "--taxonomy", "rift", "--taxonomy", yaml_file)
    assert code == 0, err
    assert "rift, tone" in out
    assert info_json(run_cli, path)["taxonomies"] == ["rift", "tone"]
    # init on an existing project adds a taxonomy without touching the rest
    code, out, _ = run_cli("init", path, "--taxonomy", "step_rating")
    assert code == 0 and out.startswith("opened")
    assert info_json(run_cli, path)["taxonomies"] == ["rift", "tone", "step_rating"]


def test_init_with_a_bad_taxonomy(run_cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nlabels:\n  - {id: a, name: A, target: paragraph}\n", encoding="utf-8")
    code, _, err = run_cli("init", tmp_path / "p.sqlite", "--taxonomy", bad)
    assert code == 1 and str(bad) in err
    assert not (tmp_path / "p.sqlite").exists()
    code, _, err = run_cli("init", tmp_path / "p.sqlite", "--taxonomy", "no_such_builtin")
    assert code == 1 and "no_such_builtin" in err


def test_import_auto_prints_the_summary_and_the_format(run_cli, tmp_path, items_file):
    path = tmp_path / "p.sqlite"
    run_cli("init", path)
    code, out, err = run_cli("import", path, items_file, FORMATS_DATA / "processbench_good.jsonl")
    assert code == 0, err
    match = re.fullmatch(r"imported 7 items: 2 rubric, 1 caption, 4 trace; (\d+) labels", out.strip())
    assert match, out
    assert f"{items_file}: format items (auto)" in err
    assert "processbench (auto)" in err
    info = info_json(run_cli, path)
    assert info["labels"] == int(match[1]) > 0
    assert info["items"] == {"rubric": 2, "caption": 1, "trace": 4}
    assert info["done"]["processbench"] == {"step_rating": 3}


def test_import_with_a_named_format(run_cli, tmp_path):
    path = tmp_path / "p.sqlite"
    run_cli("init", path)
    code, out, err = run_cli("import", path, FORMATS_DATA / "healthbench_good.jsonl", "--format", "healthbench")
    assert code == 0, err
    assert "(named)" in err and re.match(r"imported \d+ items: \d+ rubric, 0 caption, 0 trace", out)
    code, _, err = run_cli("import", path, FORMATS_DATA / "rift_good.jsonl", "--format", "tarot")
    assert code == 2 and "tarot" in err


def test_a_bad_import_exits_1_with_file_line_and_changes_nothing(run_cli, project, make_jsonl):
    before = info_json(run_cli, project)
    good = make_jsonl("good.jsonl", [{"id": "n1", "kind": "rubric", "prompt": "p", "criteria": ["a"]}])
    bad = make_jsonl("bad.jsonl", [{"id": "n2", "kind": "rubric", "prompt": "p", "criteria": ["a"]},
                                   {"id": "n3", "kind": "trace"},
                                   {"id": "r1", "kind": "rubric", "prompt": "again", "criteria": ["a"]}])
    code, out, err = run_cli("import", project, good, bad)
    assert code == 1 and out == ""
    located = {(m["file"], int(m["line"])) for m in LOCATED.finditer(err)}
    assert (str(bad), 2) in located and (str(bad), 3) in located
    assert "nothing was changed" in err
    assert info_json(run_cli, project) == before


def test_import_into_a_missing_project_exits_1(run_cli, tmp_path, items_file):
    code, _, err = run_cli("import", tmp_path / "nope.sqlite", items_file)
    assert code == 1 and "annotator init" in err
    assert not (tmp_path / "nope.sqlite").exists()


def test_check_good_and_bad_files_change_nothing(run_cli, tmp_path, items_file, make_jsonl):
    code, out, err = run_cli("check", items_file, FORMATS_DATA / "prm800k_good.jsonl")
    assert code == 0, err
    assert "2 file(s) look fine" in out
    bad = make_jsonl("bad.jsonl", [{"id": "x", "kind": "rubric", "prompt": "p", "criteria": ["a"]},
                                   {"id": "x", "kind": "rubric", "prompt": "q", "criteria": ["b"]}])
    before = sorted(p.name for p in bad.parent.iterdir())
    code, out, err = run_cli("check", bad)
    assert code == 1 and out == ""
    assert f"{bad}:2: id:" in err
    assert sorted(p.name for p in bad.parent.iterdir()) == before


def test_labels_import_export_long_and_wide(run_cli, project, tmp_path):
    labels = tmp_path / "alice.csv"
    labels.write_text("item_id,item_kind,taxonomy,annotator,target,label,note,created_at\n"
                      "r1,rubric,rift,alice,criterion:c2,subjective,,2024-01-01T00:00:00+00:00\n"
                      "r2,rubric,rift,bob,item,,,\n"
                      "t1,trace,step_rating,alice,step:s1,+1,,2024-01-01T00:00:00+00:00\n", encoding="utf-8")
    code, out, err = run_cli("labels", "import", project, labels)
    assert code == 0, err
    assert out.startswith("read 3 rows: 2 new labels, 3 newly done items")
    out_csv = tmp_path / "out.csv"
    code, out, _ = run_cli("export", project, "-o", out_csv)
    assert code == 0 and out.strip() == f"wrote 3 rows to {out_csv}"
    # the same rows, each now saying it is done, with the line ends of RFC 4180
    given = labels.read_text(encoding="utf-8").splitlines()
    assert out_csv.read_bytes().decode("utf-8") == "".join(
        f"{line},{'done' if n == 0 else 'true'}\r\n" for n, line in enumerate(given))
    code, _, _ = run_cli("export", project, "-o", out_csv, "--taxonomy", "rift", "--annotator", "alice")
    assert code == 0
    with out_csv.open(encoding="utf-8", newline="") as handle:
        assert [(r["item_id"], r["label"]) for r in csv.DictReader(handle)] == [("r1", "subjective")]
    wide = tmp_path / "wide.csv"
    code, out, _ = run_cli("export", project, "-o", wide, "--wide", "--taxonomy", "rift")
    assert code == 0 and "wrote 7 rows" in out  # r1: item + 3 criteria for alice; r2: item + 2 for bob
    code, _, err = run_cli("export", project, "-o", wide, "--taxonomy", "tarot")
    assert code == 1 and "tarot" in err


def test_labels_import_of_a_bad_file(run_cli, project, tmp_path):
    before = info_json(run_cli, project)
    bad = tmp_path / "bad.csv"
    bad.write_text("item_id,item_kind,taxonomy,annotator,target,label,note,created_at\n"
                   "r1,rubric,rift,alice,item,low_signal,,\nghost,rubric,rift,alice,item,low_signal,,\n",
                   encoding="utf-8")
    code, _, err = run_cli("labels", "import", project, bad)
    assert code == 1 and f"{bad}:3: item_id:" in err
    assert info_json(run_cli, project) == before


def test_labels_import_prints_the_first_100_problems_and_counts_the_rest(run_cli, project, tmp_path):
    before = info_json(run_cli, project)
    bad = tmp_path / "many.csv"
    bad.write_text("item_id,taxonomy,annotator,target,label\n"
                   + "".join(f"ghost{n},rift,alice,item,low_signal\n" for n in range(1_250)), encoding="utf-8")
    code, out, err = run_cli("labels", "import", project, bad)
    lines = err.splitlines()
    assert code == 1 and out == ""
    assert [LOCATED.match(line)["line"] for line in lines[:100]] == [str(n) for n in range(2, 102)]
    assert lines[100:] == ["... and 1,150 more", "nothing was changed (1,250 problems)"]
    assert info_json(run_cli, project) == before


def test_export_writes_unfinished_work_unless_done_only(run_cli, project, tmp_path):
    with Project.open(project) as p:
        p.labels.add("r1", "rift", "alice", "item", "low_signal")
        p.labels.add("r2", "rift", "alice", "item", "low_signal")
        p.completion.set_done("r2", "rift", "alice")
    every, finished = tmp_path / "every.csv", tmp_path / "finished.csv"
    assert run_cli("export", project, "-o", every)[1].strip() == f"wrote 2 rows to {every}"
    assert run_cli("export", project, "-o", finished, "--done-only")[1].strip() == f"wrote 1 rows to {finished}"
    with every.open(encoding="utf-8", newline="") as handle:
        assert [(r["item_id"], r["done"]) for r in csv.DictReader(handle)] == [("r1", "false"), ("r2", "true")]


def test_export_gold(run_cli, project, tmp_path):
    with Project.open(project) as p:
        p.gold.set("r1", "rift", "criterion:c1", ["ungrounded"])
    out_csv = tmp_path / "gold.csv"
    code, out, _ = run_cli("export", project, "-o", out_csv, "--gold")
    assert code == 0 and "wrote 1 rows" in out
    assert "r1,rubric,rift,gold,criterion:c1,ungrounded," in out_csv.read_text(encoding="utf-8")


def test_items_export(run_cli, project, tmp_path):
    out = tmp_path / "exported" / "items.jsonl"
    code, text, _ = run_cli("items", "export", project, "-o", out)
    assert code == 0 and text.strip() == f"wrote 4 items to {out}"
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        "r1", "r2", "cap1", "t1"]
    copy = tmp_path / "copy.sqlite"
    run_cli("init", copy)
    assert run_cli("import", copy, out)[0] == 0
    assert info_json(run_cli, copy)["items"] == info_json(run_cli, project)["items"]


def test_merge(run_cli, project, tmp_path, items_file):
    other = tmp_path / "other.sqlite"
    run_cli("init", other)
    run_cli("import", other, items_file)
    with Project.open(other) as p:
        p.labels.add("r1", "rift", "bob", "item", "low_signal")
        p.completion.set_done("r1", "rift", "bob")
    code, out, err = run_cli("merge", project, other)
    assert code == 0, err
    assert out.startswith("merged 0 items") and "1 labels" in out
    assert info_json(run_cli, project)["done"] == {"bob": {"rift": 1}}
    code, _, err = run_cli("merge", project, tmp_path / "missing.sqlite")
    assert code == 1 and "missing.sqlite" in err


def test_info_text_and_json(run_cli, project):
    with Project.open(project) as p:
        p.labels.add("r1", "rift", "alice", "item", "low_signal")
        p.completion.set_done("r1", "rift", "alice")
    code, out, _ = run_cli("info", project, "--json")
    assert code == 0
    data = json.loads(out)  # one JSON object and nothing else
    assert list(data) == INFO_KEYS
    assert data == {"items": {"rubric": 2, "caption": 1, "trace": 1}, "annotators": ["alice"], "labels": 1,
                    "done": {"alice": {"rift": 1}}, "taxonomies": list(builtin_taxonomies())}
    code, out, _ = run_cli("info", project)
    assert code == 0 and "items: 4 (2 rubric, 1 caption, 1 trace)" in out and "alice" in out


def test_info_refuses_a_file_that_is_not_a_project(run_cli, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all " * 50)
    code, out, err = run_cli("info", junk, "--json")
    assert code == 1 and out == "" and "not a project" in err
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert run_cli("info", other)[0] == 1


def test_predictions_import(run_cli, project, tmp_path):
    preds = tmp_path / "preds.csv"
    preds.write_text("item_id,taxonomy,target,label,score\nr1,rift,item,low_signal,0.7\nr2,rift,,,\n",
                     encoding="utf-8")
    code, out, err = run_cli("predictions", "import", project, preds, "--metric", "judge")
    assert code == 0, err
    assert out.strip() == "scored 2 items (judge: 1 predictions)"
    with Project.open(project) as p:
        assert p.predictions.metrics() == ["judge"]
    bad = tmp_path / "bad.csv"
    bad.write_text("item_id,taxonomy,target,label,score\nr1,rift,item,low_signal,7\n", encoding="utf-8")
    code, _, err = run_cli("predictions", "import", project, bad, "--metric", "other")
    assert code == 1 and f"{bad}:2: score:" in err


def test_demo_builds_the_sample_project(run_cli, tmp_path):
    path = tmp_path / "demo" / "sample.sqlite"
    code, out, err = run_cli("demo", "--no-gui", "--path", path)
    assert code == 0, err
    assert out.strip() == str(path)
    assert "imported " in err
    info = info_json(run_cli, path)
    assert sum(info["items"].values()) > 50
    if (sample_dir() / "labels.csv").exists():
        assert {"alice", "bob"} <= set(info["annotators"]) and info["labels"] > 100
    if (sample_dir() / "predictions.csv").exists():
        with Project.open(path) as p:
            with (sample_dir() / "predictions.csv").open(encoding="utf-8", newline="") as handle:
                metrics = {r["metric"] for r in csv.DictReader(handle)}
            assert metrics <= set(p.predictions.metrics())


def test_the_console_script_runs(run_console, tmp_path, items_file):
    path = tmp_path / "console.sqlite"
    done = run_console("init", path, "--taxonomy", "rift")
    assert done.returncode == 0, done.stderr
    done = run_console("import", path, items_file)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported 4 items: 2 rubric, 1 caption, 1 trace"
    done = run_console("info", path, "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["taxonomies"] == ["rift"]
    done = run_console("check", tmp_path / "missing.jsonl")
    assert done.returncode == 1 and "missing.jsonl" in done.stderr
    assert "Traceback" not in done.stderr
    assert run_console("--version").stdout.strip() == f"annotator {__version__}"
