"""Reading item files: layouts, line numbers, streaming, ids, and every problem message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.core.errors import InputError, Problem, UsageError
from annotator.core.formats import FORMATS, check_files, detect_format, read_records, stable_id

DATA = Path(__file__).parent / "data" / "formats"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n" + bytes(8)  # enough of a PNG for the importer's format check


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def jsonl(path: Path, *records) -> Path:
    return write(path, "".join(json.dumps(r) + "\n" for r in records))


def problems_of(path: Path, fmt: str = "auto", **kwargs) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        list(read_records(path, fmt, **kwargs))
    return caught.value.problems


RUBRIC = {"id": "r1", "prompt": "Say hi.", "criteria": ["Says hi"]}


# --- good files and layouts -------------------------------------------------------------------------------------

def test_jsonl_json_and_csv_give_the_same_items() -> None:
    from_jsonl = [r.item for r in read_records(DATA / "items_good.jsonl")]
    from_json = [r.item for r in read_records(DATA / "items_good.json")]
    assert from_jsonl == from_json
    kinds = [i.kind for i in from_jsonl]
    assert kinds == ["rubric", "rubric", "rubric", "caption", "trace", "trace"]
    essay = from_jsonl[0]
    assert [c.id for c in essay.criteria] == ["thesis", "c2"]
    assert essay.criteria[1].weight == 1.5 and essay.criteria[1].axis == "Evidence"
    assert essay.response.startswith("Our streets")
    assert [c.text for c in from_jsonl[2].criteria] == ["Uses an everyday analogy", "Avoids jargon", "Under 150 words"]
    caption = from_jsonl[3]
    assert Path(caption.image).is_absolute() and Path(caption.image) == (DATA / "images" / "kitchen.png").resolve()
    trace = from_jsonl[4]
    assert [s.id for s in trace.steps] == ["s1", "s2", "s3"] and trace.reference_answer == "7.35"
    assert trace.domain == "physics"


def test_line_numbers_are_where_records_start() -> None:
    assert [r.line for r in read_records(DATA / "items_good.jsonl")] == [1, 2, 3, 4, 5, 6]
    assert [r.line for r in read_records(DATA / "items_good.json")] == [2, 24, 32, 37, 47, 56]
    assert [r.line for r in read_records(DATA / "items_good.csv")] == [2, 3, 5, 6]


def test_csv_cells() -> None:
    items = {r.item.id: r.item for r in read_records(DATA / "items_good.csv")}
    assert [c.text for c in items["csv-r1"].criteria] == ["Has three lines", "Mentions snow"]
    assert items["csv-r1"].criteria[1].points == 2 and items["csv-r1"].meta == {"batch": 2}
    assert items["csv-r2"].kind == "rubric" and [c.text for c in items["csv-r2"].criteria] == ["Two lines", "Third person"]
    assert items["csv-c1"].image.endswith("harbour.png") and items["csv-c1"].model == "captioner-v1"
    assert [s.text for s in items["csv-t1"].steps] == ["Step 1: 12 * 12 = 144.", "Step 2: So the answer is 144."]
    assert items["csv-t1"].answer == "144" and items["csv-t1"].domain == "maths"


def test_blank_lines_and_bom_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", "\ufeff" + json.dumps(RUBRIC) + "\n\n   \n" + json.dumps({**RUBRIC, "id": "r2"}))
    assert [(r.line, r.item.id) for r in read_records(path)] == [(1, "r1"), (4, "r2")]


def test_kind_is_inferred(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "k.jsonl",
                 {"id": "a", "prompt": "p", "criteria": ["x"]},
                 {"id": "b", "image": "img.png", "caption": "c"},
                 {"id": "c", "problem": "p", "steps": ["one", "two"]},
                 {"id": "d", "problem": "p", "trace": "one\n\ntwo"})
    write(tmp_path / "img.png", PNG_SIGNATURE)
    assert [r.item.kind for r in read_records(path)] == ["rubric", "caption", "trace", "trace"]


def test_a_pretty_printed_object_in_a_json_file(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps(RUBRIC, indent=2))
    assert [r.item.id for r in read_records(path)] == ["r1"]


# --- streaming ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 16])
def test_json_list_streams_in_small_chunks(tmp_path: Path, chunk: int) -> None:
    records = [{"id": f"r{i}", "prompt": f"Écris {i} — ünïcode ☃", "criteria": [f"crit {i}", "x"]}
               for i in range(5)]
    text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, indent=1) for r in records) + "\n]\n"
    path = write(tmp_path / "big.json", text)
    got = list(read_records(path, chunk_size=chunk))
    assert [r.item.id for r in got] == [f"r{i}" for i in range(5)]
    assert got[3].item.prompt == "Écris 3 — ünïcode ☃"
    lines = text.split("\n")
    assert [r.line for r in got] == [i + 1 for i, line in enumerate(lines) if line.startswith("{")]


def test_json_list_of_numbers_split_by_chunks(tmp_path: Path) -> None:
    path = write(tmp_path / "n.json", "[12345, 678]")
    problems = problems_of(path, "items", chunk_size=2)
    assert [p.message for p in problems] == ["record is a number, not an object"] * 2


def test_progress_and_chosen_are_called(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "p.jsonl", *({**RUBRIC, "id": f"r{i}"} for i in range(3000)))
    calls: list[tuple[int, int]] = []
    chosen: list[str] = []
    assert len(list(read_records(path, progress=lambda d, t: calls.append((d, t)), chosen=chosen.append))) == 3000
    size = path.stat().st_size
    assert chosen == ["items"]
    assert len(calls) >= 2 and calls[-1] == (size, size)
    assert all(t == size for _, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_records_come_before_the_end(tmp_path: Path) -> None:
    """Streaming: the first record is available before the file is read to the end (and its error)."""
    path = jsonl(tmp_path / "s.jsonl", RUBRIC, {"id": 5.5, "prompt": []})
    records = read_records(path)
    assert next(records).item.id == "r1"
    with pytest.raises(InputError):
        next(records)


# --- stable ids ---------------------------------------------------------------------------------------------------

def test_stable_ids_same_file_twice_and_elsewhere(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "noid.jsonl", {"prompt": "a", "criteria": ["x"]}, {"prompt": "b", "criteria": ["y"]})
    first = [r.item.id for r in read_records(path)]
    second = [r.item.id for r in read_records(path)]
    assert first == second and len(set(first)) == 2 and all(i.startswith("rubric-") for i in first)
    moved = tmp_path / "other"
    moved.mkdir()
    reordered = jsonl(moved / "x.jsonl", {"criteria": ["x"], "prompt": "a"})
    assert [r.item.id for r in read_records(reordered)] == first[:1]


def test_stable_id_function() -> None:
    assert stable_id("trace", {"a": 1, "b": [2]}) == stable_id("trace", {"b": [2], "a": 1})
    assert stable_id("trace", {"a": 1}) != stable_id("trace", {"a": 2})
    assert stable_id("trace", {"a": 1}) != stable_id("rubric", {"a": 1})


# --- detection ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,fmt", [
    ("items_good.jsonl", "items"), ("items_good.json", "items"), ("items_good.csv", "items"),
    ("prm800k_good.jsonl", "prm800k"), ("processbench_good.jsonl", "processbench"),
    ("healthbench_good.jsonl", "healthbench"), ("researchrubrics_good.jsonl", "researchrubrics"),
    ("checklist_good.jsonl", "checklist"), ("rift_good.jsonl", "rift"), ("rift_results_good.jsonl", "rift-results"),
])
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt
    chosen: list[str] = []
    assert list(read_records(DATA / name, chosen=chosen.append)) and chosen == [fmt]


def test_every_format_is_registered() -> None:
    assert set(FORMATS) == {"items", "prm800k", "processbench", "healthbench", "healthbench_professional",
                            "researchrubrics", "advancedif", "wildchecklists", "openrubrics", "autorubrics",
                            "checklist", "rift", "rift-results"}


def test_unknown_format_names_the_fields(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "odd.jsonl", {"foo": 1, "bar": 2, "baz": 3})
    with pytest.raises(InputError) as caught:
        detect_format(path)
    assert caught.value.problems[0].message == (
        "cannot tell the format of odd.jsonl: its first record has fields foo, bar, baz; name one with --format")
    assert problems_of(path)[0].message.startswith("cannot tell the format of odd.jsonl")


def test_unknown_csv_header(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.csv", "alpha,beta\n1,2\n")
    with pytest.raises(InputError, match="its header has columns alpha, beta; name one with --format"):
        detect_format(path)


def test_unknown_format_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown format 'prm900k'; choose auto or one of: advancedif, autorubrics"):
        list(read_records(DATA / "items_good.jsonl", "prm900k"))
    with pytest.raises(UsageError):
        check_files([DATA / "items_good.jsonl"], "nope")


def test_explicit_format_skips_detection(tmp_path: Path) -> None:
    chosen: list[str] = []
    assert len(list(read_records(DATA / "processbench_good.jsonl", "processbench", chosen=chosen.append))) == 3
    assert chosen == ["processbench"]
    problems = problems_of(DATA / "items_good.jsonl", "processbench")
    assert problems[0].field == "problem" and problems[0].message == "is missing"


# --- every problem message ----------------------------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nope.jsonl")
    assert problems == [Problem(str(tmp_path / "nope.jsonl"), 0, "", "file does not exist")]


def test_empty_and_blank_files(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path / "e.jsonl", ""))[0].message == "file is empty"
    assert problems_of(write(tmp_path / "b.jsonl", "\n  \n\t\n"))[0].message == "file holds only blank lines"
    assert problems_of(write(tmp_path / "l.json", "[]"))[0].message == "holds no records"


def test_invalid_json_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", json.dumps(RUBRIC) + '\n{"id": "r2", "prompt": tru}\n'
                 + json.dumps({**RUBRIC, "id": "r3"}) + "\n")
    problems = problems_of(path)
    assert [(p.line, p.message) for p in problems] == [(2, "invalid JSON at column 24: Expecting value")]


def test_invalid_json_in_a_list(tmp_path: Path) -> None:
    text = '[\n' + json.dumps(RUBRIC) + ',\n  {"id": "r2",, "prompt": "x"}\n]'
    for chunk in (3, 1 << 16):
        problems = problems_of(write(tmp_path / "bad.json", text), chunk_size=chunk)
        assert [(p.line, p.message) for p in problems] == [
            (3, "invalid JSON at column 15: Expecting property name enclosed in double quotes")]


def test_unclosed_json_list(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path / "open.json", "[\n" + json.dumps(RUBRIC) + ",\n"))
    assert problems[-1].message == "the JSON list is not closed: ']' is missing at the end of the file"


def test_non_utf8_bytes_have_their_line(tmp_path: Path) -> None:
    good = json.dumps(RUBRIC).encode()
    path = write(tmp_path / "latin.jsonl", good + b"\n" + b'{"id": "r2", "prompt": "caf\xe9", "criteria": ["x"]}\n')
    problems = problems_of(path)
    assert [(p.line, p.message) for p in problems] == [
        (2, "line holds bytes that are not UTF-8 (first at column 28); save the file as UTF-8")]
    array = write(tmp_path / "latin.json", b"[\n" + good + b",\n" + b'{"prompt": "caf\xe9"}\n]')
    for chunk in (4, 1 << 16):
        assert [(p.line, p.message) for p in problems_of(array, "items", chunk_size=chunk)][0] == (
            3, "line holds bytes that are not UTF-8 (first at column 16); save the file as UTF-8")
    csv_path = write(tmp_path / "latin.csv", b"id,prompt,criteria\nr1,ok,x\nr2,caf\xe9,y\n")
    assert [(p.line, p.message[:30]) for p in problems_of(csv_path)] == [(3, "line holds bytes that are not ")]


def test_bad_bytes_after_good_non_ascii_text_are_found_at_their_column(tmp_path: Path) -> None:
    """Text that is not ASCII but is UTF-8 passes; a bad byte after it is reported where it is."""
    good = json.dumps({**RUBRIC, "prompt": "café ∑ 数学"}, ensure_ascii=False).encode()
    bad = '{"id": "r2", "prompt": "数学 '.encode() + b"caf\xe9" + b'", "criteria": ["x"]}\n'
    path = write(tmp_path / "mixed.jsonl", good + b"\n" + bad)
    assert [(p.line, p.message) for p in problems_of(path)] == [
        (2, "line holds bytes that are not UTF-8 (first at column 31); save the file as UTF-8")]
    array = write(tmp_path / "mixed.json", b"[\n" + good + b",\n" + bad + b"]")
    assert [(p.line, p.message) for p in problems_of(array, "items", chunk_size=8)][0] == (
        3, "line holds bytes that are not UTF-8 (first at column 31); save the file as UTF-8")
    assert [r.item.prompt for r in read_records(write(tmp_path / "fine.jsonl", good + b"\n"))] == ["café ∑ 数学"]


def test_record_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "list.jsonl", json.dumps(RUBRIC) + '\n["a", "b"]\n"text"\n')
    assert [(p.line, p.message) for p in problems_of(path)] == [
        (2, "record is a list, not an object"), (3, "record is a string, not an object")]


def test_duplicate_ids_name_the_earlier_line(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "dup.jsonl", RUBRIC, {**RUBRIC, "id": "r2"}, RUBRIC)
    assert [(p.line, p.field, p.message) for p in problems_of(path)] == [
        (3, "id", "duplicate id 'r1': line 1 has it already")]
    same = jsonl(tmp_path / "same.jsonl", {"prompt": "a", "criteria": ["x"]}, {"prompt": "a", "criteria": ["x"]})
    message = problems_of(same)[0].message
    assert message.startswith("repeats the record on line 1 (same content, so the same id 'rubric-")


def test_duplicate_ids_across_files_in_check_files(tmp_path: Path) -> None:
    a = jsonl(tmp_path / "a.jsonl", RUBRIC)
    b = jsonl(tmp_path / "b.jsonl", RUBRIC)
    assert [p.message for p in check_files([a, b])] == [f"duplicate id 'r1': {a} line 1 has it already"]
    assert check_files([a]) == []


def test_missing_and_wrong_type_fields(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "m.jsonl",
                 {"id": "a", "kind": "rubric", "prompt": "p"},
                 {"id": "b", "kind": "caption", "image": "img.png"},
                 {"id": "c", "kind": "trace", "steps": ["x"]},
                 {"id": "d", "kind": "trace", "problem": "p"},
                 {"id": "e", "prompt": 7, "criteria": ["x"]},
                 {"id": "f", "prompt": "p", "criteria": [{"txt": "x"}]},
                 {"id": "g", "kind": "poem", "prompt": "p", "criteria": ["x"]},
                 {"id": "h", "prompt": "p", "criteria": ["x"], "extra": 1},
                 {"id": "i", "prompt": "p", "criteria": [{"text": "x", "points": "many"}]},
                 {"id": "j", "prompt": "p", "criteria": ["x"], "meta": [1]},
                 {"id": "k", "prompt": "p", "criteria": ["", "y"]},
                 {"meta": {}})
    write(tmp_path / "img.png", PNG_SIGNATURE)
    got = [(p.line, p.field, p.message) for p in problems_of(path)]
    assert got == [
        (1, "criteria", "is missing: a rubric needs 'criteria'"),
        (2, "caption", "is missing: a caption item needs 'image' and 'caption'"),
        (3, "problem", "is missing: a trace needs 'problem'"),
        (4, "trace", "is missing: a trace needs 'trace' (text) or 'steps' (a list)"),
        (5, "prompt", "input should be a valid string, got a number"),
        (6, "criteria[0].text", "is missing"),
        (6, "criteria[0].txt", "is not a field of this format (put extra data under meta)"),
        (7, "kind", "input should be 'rubric', 'caption' or 'trace', got a string"),
        (8, "extra", "is not a field of this format (put extra data under meta)"),
        (9, "criteria[0].points", "input should be a valid number, unable to parse string as a number"),
        (10, "meta", "input should be a valid dictionary, got a list"),
        (11, "criteria[0].text", "is empty"),
        (12, "kind", "is missing and cannot be told from the fields (give kind: rubric, caption or trace)"),
    ]


def test_duplicate_criterion_ids_in_one_item(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "c.jsonl", {"id": "a", "prompt": "p", "criteria": [{"id": "x", "text": "1"},
                                                                              {"id": "x", "text": "2"}]})
    assert [(p.field, p.message) for p in problems_of(path)] == [
        ("criteria[1].id", "id 'x' is used twice in this item (also criteria[0])")]


def test_images(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write(tmp_path / "secret.png", PNG_SIGNATURE)
    write(data / "ok.png", PNG_SIGNATURE)
    path = jsonl(data / "caps.jsonl",
                 {"id": "a", "image": "ok.png", "caption": "c"},
                 {"id": "b", "image": "missing.png", "caption": "c"},
                 {"id": "c", "image": "https://example.org/cat.png", "caption": "c"},
                 {"id": "d", "image": "data:image/png;base64,AAAA", "caption": "c"},
                 {"id": "e", "image": "file:///etc/hosts", "caption": "c"},
                 {"id": "f", "image": "../secret.png", "caption": "c"},
                 {"id": "g", "image": str(tmp_path / "secret.png"), "caption": "c"},
                 {"id": "h", "image": str(data / "ok.png"), "caption": "c"})
    got = [(p.line, p.field, p.message) for p in problems_of(path)]
    assert got == [
        (2, "image", "'missing.png' not found (looked for missing.png beside the data file)"),
        (3, "image", "'https://example.org/cat.png' is a URL; images are read only from disk, never fetched "
                     "(give a path relative to the data file)"),
        (4, "image", "'data:image/png;base64,AAAA' is a URL; images are read only from disk, never fetched "
                     "(give a path relative to the data file)"),
        (5, "image", "'file:///etc/hosts' is a URL; images are read only from disk, never fetched "
                     "(give a path relative to the data file)"),
        (6, "image", "'../secret.png' points outside the data file's folder; keep images in that folder or below it"),
        (7, "image", f"{str(tmp_path / 'secret.png')!r} points outside the data file's folder; keep images in that "
                     "folder or below it"),
    ]


def test_csv_problems(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "id,prompt,criteria,colour\nr1,p,x,red\nr2,p\nr3,p,\"[1,\",blue\n"
                                       "r4,p,x,y,z\n")
    got = [(p.line, p.field, p.message) for p in problems_of(path)]
    assert got == [
        (1, "colour", "unknown column; the columns are id, kind, source, prompt, response, criteria, image, caption, "
                      "problem, trace, steps, answer, reference_answer, model, domain, meta (put extra data in the "
                      "meta column as a JSON object)"),
        (3, "", "row has 2 cells but the header has 4 columns"),
        (4, "criteria", "should be a JSON list (or plain text to split); invalid JSON at column 4: Expecting value"),
        (5, "", "row has 5 cells but the header has 4 columns"),
    ]


def test_adapter_formats_are_not_read_from_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "pb.csv", "id,problem,steps,label\nx,p,s,0\n")
    assert [p.message for p in problems_of(path, "processbench")] == [
        "the processbench format is read from JSON or JSONL, not CSV"]


def test_errors_go_on_past_the_first_and_stop_at_100(tmp_path: Path) -> None:
    path = write(tmp_path / "many.jsonl", "".join("{bad\n" for _ in range(150)))
    problems = problems_of(path, "items")
    assert len(problems) == 101
    assert [p.line for p in problems[:100]] == list(range(1, 101))
    assert problems[-1].message == "stopped after 100 problems; fix these and check the file again"


def test_check_files_lists_problems_without_raising(tmp_path: Path) -> None:
    bad = jsonl(tmp_path / "bad.jsonl", {"id": "a", "kind": "rubric", "prompt": "p"})
    problems = check_files([DATA / "items_good.jsonl", bad, tmp_path / "gone.jsonl"])
    assert [(Path(p.file).name, p.line, p.field) for p in problems] == [
        ("bad.jsonl", 1, "criteria"), ("gone.jsonl", 0, "")]
    assert str(problems[0]) == f"{bad}:1: criteria: is missing: a rubric needs 'criteria'"


def test_all_or_nothing_contract(tmp_path: Path) -> None:
    """Good records are yielded, but the iteration ends in InputError, so a consumer rolls back."""
    path = jsonl(tmp_path / "mixed.jsonl", RUBRIC, {"id": "bad"}, {**RUBRIC, "id": "r3"})
    seen: list[str] = []
    with pytest.raises(InputError) as caught:
        for record in read_records(path):
            seen.append(record.item.id)
    assert seen == ["r1", "r3"] and len(caught.value.problems) == 1


def test_the_same_data_copied_elsewhere_keeps_its_ids(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "copy")
    for name in ("prm800k_good.jsonl", "rift_good.jsonl", "checklist_good.jsonl"):
        assert [r.item.id for r in read_records(DATA / name)] == [r.item.id for r in read_records(tmp_path / "copy" / name)]


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Parsing keeps one record and one chunk at a time; only the set of seen ids grows (not measured here)."""
    import tracemalloc

    from annotator.core.formats.problems import ProblemLog
    from annotator.core.formats.reader import iter_raw

    def peak(n: int, suffix: str) -> int:
        record = {"problem": "x" * 200, "steps": ["y" * 100] * 5}
        path = tmp_path / f"{n}{suffix}"
        body = ",\n".join(json.dumps(record, indent=1) for _ in range(n))
        write(path, f"[\n{body}\n]" if suffix == ".json" else "\n".join(json.dumps(record) for _ in range(n)))
        tracemalloc.start()
        for _ in iter_raw(path, ProblemLog(), chunk_size=4096):
            pass
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    for suffix in (".json", ".jsonl"):
        small, large = peak(200, suffix), peak(3000, suffix)
        assert large < 2 * small + 50_000, (suffix, small, large)
