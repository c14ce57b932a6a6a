"""Bad input never half-imports and never crashes (DESIGN sections 4 and 9).

Every file of the bad-input corpus (tests/data/bad/, plus a few huge or deeply nested files generated here) is
handed to the command that reads its kind of file: `import` for items, `labels import`, `predictions import`,
`init --taxonomy`. Each must end with exit status 1, a `file:line` message on stderr and no traceback, and leave
`annotator info --json` exactly as it was. Nothing in a file may run: the YAML file with a python tag tries to
create a file, and the test checks it did not appear.

Deeply nested JSON, NaN and Infinity, lone surrogates and files that are not pictures are refused like any
other bad record; a bad taxonomy names the line of the field that is wrong.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.core import Project
from backends import store_backend  # noqa: F401  (a fixture: the test runs on SQLite and on PostgreSQL)

BAD = Path(__file__).resolve().parent / "data" / "bad"
MARKER = "annotator_was_made_to_run_this"  # what taxonomy_python_tag.yaml would create if its tag ran


@dataclass(frozen=True)
class Case:
    file: str
    command: str  # import | labels | predictions | taxonomy
    why: str
    whole_file: bool = False  # a problem of the whole file (empty, no records): no line to point at
    one_line: bool = False  # the file has one fault, reported as exactly one `file:line: ...` line
    beside_builtin: bool = False  # bad only in a project that holds the built-in taxonomy it clashes with


CASES = [
    # --- items files -------------------------------------------------------------------------------------
    Case("empty.jsonl", "import", "a file of zero bytes", whole_file=True),
    Case("blank_lines.jsonl", "import", "only blank lines", whole_file=True),
    Case("truncated_object.jsonl", "import", "the last object stops mid-string"),
    Case("array_cut_short.json", "import", "a JSON array cut off before its end"),
    Case("trailing_garbage.json", "import", "words after the closing bracket"),
    Case("top_level_string.json", "import", "a JSON string where records should be", whole_file=True),
    Case("number_line.jsonl", "import", "a line that is a number, not an object"),
    Case("criteria_wrong_type.jsonl", "import", "criteria is a number"),
    Case("id_wrong_type.jsonl", "import", "id is a list"),
    Case("kind_unknown.jsonl", "import", "kind 'video'"),
    Case("rubric_without_criteria.jsonl", "import", "a rubric with a prompt and no criteria"),
    Case("meta_not_object.jsonl", "import", "meta is a string"),
    Case("criterion_empty_text.jsonl", "import", "a criterion with empty text"),
    Case("criterion_duplicate_ids.jsonl", "import", "two criteria share an id"),
    Case("trace_without_steps.jsonl", "import", "a trace with neither trace nor steps"),
    Case("caption_without_caption.jsonl", "import", "a caption item without its caption"),
    Case("duplicate_ids.jsonl", "import", "one id on two lines of the file"),
    Case("id_already_in_project.jsonl", "import", "an id the project already holds"),
    Case("invalid_utf8.jsonl", "import", "Latin-1 bytes inside a JSON string"),
    Case("utf16_with_bom.jsonl", "import", "a UTF-16 file with its byte order mark"),
    Case("bom_mid_file.jsonl", "import", "a byte order mark at the start of line 2"),
    Case("binary.jsonl", "import", "PNG bytes and every byte value"),
    Case("null_bytes.jsonl", "import", "a line of NUL bytes"),
    Case("nan_weight.jsonl", "import", "a criterion weight of NaN"),
    Case("infinity_points.jsonl", "import", "criterion points of Infinity"),
    Case("lone_surrogate.jsonl", "import", "a \\ud800 escape: half a UTF-16 pair, not text"),
    Case("image_climbs_out.jsonl", "import", "an image path that climbs out of the data folder"),
    Case("image_absolute_path.jsonl", "import", "an absolute image path outside the data folder"),
    Case("image_missing.jsonl", "import", "an image that is not on disk"),
    Case("image_url.jsonl", "import", "an https image URL"),
    Case("image_file_url.jsonl", "import", "a file:// image URL"),
    Case("image_not_an_image.jsonl", "import", "an 'image' that holds text"),
    Case("csv_wrong_delimiter.csv", "import", "an items CSV separated by semicolons"),
    Case("csv_unclosed_quote.csv", "import", "a quote that never closes"),
    Case("csv_bare_quotes.csv", "import", "quotes inside an unquoted cell"),
    Case("csv_no_id_or_kind.csv", "import", "a CSV of some other table"),
    Case("csv_ragged_row.csv", "import", "a row with more cells than the header"),
    Case("prm800k_bad_rating.jsonl", "import", "a PRM800K rating of 5"),
    Case("processbench_label_out_of_range.jsonl", "import", "a ProcessBench label past the last step"),
    Case("healthbench_points_not_number.jsonl", "import", "HealthBench points 'ten'"),
    Case("image_nul_path.jsonl", "import", "a NUL character inside an image path", one_line=True),
    Case("huge_integer.jsonl", "import", "a 5,000-digit integer as criterion points", one_line=True),
    Case("nul_in_text.jsonl", "import", "a \\u0000 escape in the prompt", one_line=True),
    Case("csv_nul_cell.csv", "import", "a NUL character in an items CSV cell", one_line=True),
    Case("lfs_pointer.jsonl", "import", "a Git LFS pointer where the data should be", one_line=True),
    # generated (see the `generated` fixture)
    Case("gen/huge_line.jsonl", "import", "a 20 MB line that never closes its string"),
    Case("gen/huge_record_wrong_type.jsonl", "import", "a well-formed 20 MB record with criteria 7"),
    Case("gen/many_bad_lines.jsonl", "import", "20,000 bad lines (the report stops at a cap)"),
    Case("gen/deep_array.json", "import", "100,000 [ and nothing else"),
    Case("gen/deep_array_closed.json", "import", "100,000 [ then 100,000 ]"),
    Case("gen/deep_meta.jsonl", "import", "an item whose meta nests 100,000 lists"),
    Case("gen/deep_objects.jsonl", "import", "100,000 nested objects on one line"),
    # --- labels CSV files ---------------------------------------------------------------------------------
    Case("labels_unknown_item.csv", "labels", "an item the project does not have"),
    Case("labels_unknown_label.csv", "labels", "a label the taxonomy does not have"),
    Case("labels_unknown_taxonomy.csv", "labels", "a taxonomy the project does not have"),
    Case("labels_unknown_criterion.csv", "labels", "criterion:c99 on an item with two criteria"),
    Case("labels_bad_span.csv", "labels", "a span that ends before it starts"),
    Case("labels_wrong_target_kind.csv", "labels", "a criterion label on the item"),
    Case("labels_kind_mismatch.csv", "labels", "item_kind says trace for a rubric"),
    Case("labels_missing_columns.csv", "labels", "only two of the columns"),
    Case("labels_semicolons.csv", "labels", "semicolons instead of commas"),
    Case("labels_formula_label.csv", "labels", "a =HYPERLINK(...) formula as the label"),
    Case("labels_invalid_utf8.csv", "labels", "a Latin-1 note"),
    Case("labels_empty.csv", "labels", "a file of zero bytes", whole_file=True),
    Case("labels_nul_note.csv", "labels", "a NUL character in a note", one_line=True),
    Case("labels_duplicate_columns.csv", "labels", "the label column twice in the header", one_line=True),
    Case("labels_two_answers_single_choice.csv", "labels", "two ratings from one annotator on one step"),
    Case("labels_answer_clashes_stored.csv", "labels", "a rating other than the one the project holds"),
    Case("labels_done_not_boolean.csv", "labels", "done 'maybe' where true or false belongs"),
    Case("gen/labels_many_unknown_items.csv", "labels", "7,608 rows of items the project lacks (100 printed)"),
    # --- predictions CSV files ---------------------------------------------------------------------------
    Case("predictions_score_above_one.csv", "predictions", "score 1.5"),
    Case("predictions_nan_score.csv", "predictions", "score nan"),
    Case("predictions_text_score.csv", "predictions", "score 'very likely'"),
    Case("predictions_unknown_item.csv", "predictions", "an item the project does not have"),
    Case("predictions_unknown_label.csv", "predictions", "a label the taxonomy does not have"),
    Case("predictions_nul_label.csv", "predictions", "a NUL character in a label", one_line=True),
    Case("predictions_short_row.csv", "predictions", "a row with too few cells", one_line=True),
    Case("predictions_duplicate_columns.csv", "predictions", "the label column twice", one_line=True),
    # --- taxonomy files ------------------------------------------------------------------------------------
    Case("taxonomy_python_tag.yaml", "taxonomy", "a !!python/object/apply tag that would run a command"),
    Case("taxonomy_broken_yaml.yaml", "taxonomy", "an unclosed flow sequence"),
    Case("taxonomy_not_a_mapping.yaml", "taxonomy", "a YAML list, not a mapping"),
    Case("taxonomy_no_labels.yaml", "taxonomy", "an empty list of labels"),
    Case("taxonomy_duplicate_labels.yaml", "taxonomy", "two labels with one id"),
    Case("taxonomy_bad_target.yaml", "taxonomy", "target: sentence"),
    # --- other projects to merge (SQL applied to a copy of the project, foreign keys off) --------------------
    Case("merge_unknown_label.sql", "merge", "a label the taxonomy does not have", whole_file=True),
    Case("merge_missing_target.sql", "merge", "criterion:c9 on an item with two criteria", whole_file=True),
    Case("merge_three_answers.sql", "merge", "three ratings from one annotator on one step", whole_file=True),
    Case("merge_answer_clashes_stored.sql", "merge", "a rating other than the project's", whole_file=True),
    Case("merge_unknown_item.sql", "merge", "a label on an item neither project has", whole_file=True),
    Case("merge_unknown_taxonomy.sql", "merge", "a label in a taxonomy neither project has", whole_file=True),
    Case("merge_wrong_target_kind.sql", "merge", "a criterion label on the item", whole_file=True),
    Case("merge_item_conflict.sql", "merge", "an item that differs from the project's", whole_file=True),
    Case("merge_unreadable_item.sql", "merge", "item data that is not an item", whole_file=True),
    Case("merge_newer_schema.sql", "merge", "a schema revision from a newer version", whole_file=True),
    Case("merge_older_schema.sql", "merge", "a schema revision from an older version", whole_file=True),
    Case("merge_not_a_project.sql", "merge", "no schema version: not a project", whole_file=True),
    Case("merge_prediction_score.sql", "merge", "a prediction scoring 7", whole_file=True),
    Case("merge_gold_unknown_label.sql", "merge", "gold with a label the taxonomy does not have", whole_file=True),
    Case("taxonomy_builtin_id.yaml", "taxonomy", "other labels under the built-in id rift", beside_builtin=True),
    Case("gen/deep_taxonomy.yaml", "taxonomy", "labels nested 50,000 deep in block style"),
    Case("gen/deep_taxonomy_flow.yaml", "taxonomy", "labels nested 50,000 deep in brackets"),
]

ITEMS = [
    {"id": "r1", "kind": "rubric", "source": "s", "prompt": "Describe the plan.",
     "criteria": [{"id": "c1", "text": "Names the date"}, {"id": "c2", "text": "Is clear"}]},
    {"id": "t1", "kind": "trace", "source": "s", "problem": "What is 2 + 3 * 4?",
     "steps": ["3 * 4 = 12, the product comes first.", "2 + 12 = 14.", "So the answer is 14."]},
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A small project with two items, two labels and a done item; each case works on a copy of it."""
    folder = tmp_path_factory.mktemp("template")
    items = folder / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in ITEMS), encoding="utf-8")
    path = folder / "project.sqlite"
    with Project.create(path) as project:
        project.import_items([items])
        project.labels.add("r1", "rift", "ann", "criterion:c2", "subjective")
        project.labels.add("t1", "step_rating", "ann", "step:s2", "+1")
        project.completion.set_done("r1", "rift", "ann")
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """The bad files too big or too deep to keep in the repository, written once per run."""
    folder = tmp_path_factory.mktemp("bad") / "gen"
    folder.mkdir()
    head = '{"id": "big", "kind": "rubric", "source": "bad", "prompt": "'
    (folder / "huge_line.jsonl").write_text(head + "x" * 20_000_000 + "\n", encoding="utf-8")
    (folder / "huge_record_wrong_type.jsonl").write_text(head + "y" * 20_000_000 + '", "criteria": 7}\n',
                                                         encoding="utf-8")
    (folder / "many_bad_lines.jsonl").write_text('{"id": "broken"\n' * 20_000, encoding="utf-8")
    (folder / "deep_array.json").write_text("[" * 100_000, encoding="utf-8")
    (folder / "deep_array_closed.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "deep_meta.jsonl").write_text(
        '{"id": "d", "kind": "rubric", "prompt": "p", "criteria": ["c"], "meta": {"x": '
        + "[" * 100_000 + "]" * 100_000 + "}}\n", encoding="utf-8")
    (folder / "deep_objects.jsonl").write_text('{"a":' * 100_000 + "1" + "}" * 100_000 + "\n", encoding="utf-8")
    (folder / "labels_many_unknown_items.csv").write_text("item_id,taxonomy,annotator,target,label\n" + "".join(
        f"ghost{n},rift,ann,item,low_signal\n" for n in range(7_608)), encoding="utf-8")
    (folder / "deep_taxonomy.yaml").write_text("id: deep\nname: Deep\nlabels:\n" + "- " * 50_000 + "x\n",
                                               encoding="utf-8")
    (folder / "deep_taxonomy_flow.yaml").write_text("id: deep\nname: Deep\nlabels: " + "[" * 50_000 + "]" * 50_000
                                                    + "\n", encoding="utf-8")
    return folder.parent


def crafted_project(template: Path, script: Path, out: Path) -> Path:
    """A copy of the template project changed by an SQL script, as a hand-edited or buggy file would be."""
    shutil.copy(template, out)
    conn = sqlite3.connect(out)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.executescript(script.read_text(encoding="utf-8"))
    conn.close()
    return out


def _arguments(case: Case, project: Path, path: Path) -> list[str]:
    return {
        "merge": ["merge", str(project), str(path)],
        "import": ["import", str(project), str(path)],
        "labels": ["labels", "import", str(project), str(path)],
        "predictions": ["predictions", "import", str(project), str(path), "--metric", "m1"],
        "taxonomy": ["init", str(project), "--taxonomy", str(path)],
    }[case.command]


def _path(case: Case, generated: Path) -> Path:
    return generated / case.file if case.file.startswith("gen/") else BAD / case.file


def _run(run_cli, *args) -> tuple[int, str, str]:
    try:
        return run_cli(*args)
    except BaseException as exc:  # noqa: BLE001 - a crash is the finding (RecursionError, MemoryError...)
        if isinstance(exc, KeyboardInterrupt):
            raise
        pytest.fail(f"the command crashed instead of reporting the problem: {type(exc).__name__}: "
                    f"{str(exc)[:300]}")


def test_the_corpus_is_big_and_every_file_in_it_is_a_case():
    assert len(CASES) >= 40
    on_disk = {p.name for p in BAD.iterdir() if p.is_file()}
    listed = {c.file for c in CASES if not c.file.startswith("gen/")}
    assert on_disk == listed


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_bad_input_is_refused_whole_with_its_line(case: Case, template, generated, tmp_path, run_cli,
                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "project.sqlite"
    shutil.copy(template, project)
    path = _path(case, generated)
    if case.command == "merge":
        path = crafted_project(template, path, tmp_path / "other.sqlite")
    code, before, _ = run_cli("info", str(project), "--json")
    assert code == 0

    code, _out, err = _run(run_cli, *_arguments(case, project, path))

    assert code == 1, f"exit {code}; stderr: {err[-500:]}"
    assert "Traceback" not in err
    assert str(path) in err
    if not case.whole_file:
        assert re.search(re.escape(str(path)) + r":[1-9]\d*:", err), err[-500:]
    assert len(err.splitlines()) <= 110  # the report is capped, not 20,000 lines long
    if case.one_line:
        assert len([line for line in err.splitlines() if re.match(re.escape(str(path)) + r":\d+:", line)]) == 1, err
    assert run_cli("info", str(project), "--json")[1] == before
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("case", [c for c in CASES if c.command == "taxonomy" and not c.beside_builtin],
                         ids=lambda c: c.file)
def test_a_bad_taxonomy_creates_no_project(case: Case, generated, tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _out, err = _run(run_cli, "init", str(tmp_path / "new.sqlite"), "--taxonomy", str(_path(case, generated)))
    assert code == 1, err
    assert not (tmp_path / "new.sqlite").exists()
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("case", [c for c in CASES if c.command == "import" and not c.file.startswith("gen/")
                                  and c.file != "id_already_in_project.jsonl"],
                         ids=lambda c: c.file)
def test_check_finds_the_same_files_bad(case: Case, run_cli):
    """`annotator check` (no project) refuses every items file that import refuses for its content."""
    code, _out, err = _run(run_cli, "check", str(BAD / case.file))
    assert code == 1, err
    assert str(BAD / case.file) in err


def test_a_long_note_reads_back(tmp_path, template, run_cli):
    """A cell longer than the csv module's default limit (131,072 characters) is read whole."""
    project = tmp_path / "project.sqlite"
    shutil.copy(template, project)
    note = "n" * 200_000
    path = tmp_path / "labels.csv"
    path.write_text("item_id,item_kind,taxonomy,annotator,target,label,note,created_at\n"
                    f"r1,rubric,rift,dana,criterion:c1,subjective,{note},\n", encoding="utf-8")
    code, _out, err = run_cli("labels", "import", str(project), str(path))
    assert code == 0, err
    with Project.open(project) as opened:
        assert opened.notes.get("r1", "rift", "dana", "criterion:c1") == note


@pytest.mark.parametrize("name", ["nul_in_text.jsonl", "csv_nul_cell.csv", "labels_nul_note.csv",
                                  "predictions_nul_label.csv"])
def test_nul_is_refused_by_the_reader_on_every_backend(name, store_backend, tmp_path):
    """PostgreSQL cannot store a NUL in text and would fail late, mid-transaction; the readers refuse it first,
    on SQLite too, so a project never holds what another backend could not."""
    from annotator.core.errors import InputError
    from annotator.core.labels_csv import import_labels_csv
    from annotator.core.predictions_io import import_predictions

    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in ITEMS), encoding="utf-8")
    with Project.create(store_backend) as project:
        project.import_items([items])
        before = project.info()
        path = BAD / name
        with pytest.raises(InputError) as caught:
            if name.startswith("labels_"):
                import_labels_csv(project, [path])
            elif name.startswith("predictions_"):
                import_predictions(project, [path], metric="m1")
            else:
                project.import_items([path])
        [problem] = caught.value.problems
        assert problem.line >= 1 and "NUL" in problem.message
        assert project.info() == before
