"""The long CSV streams: labels come from their index in the file's order, the few rows without a label are
slotted in between batches, and the file is the same whatever the batch size (DESIGN sections 4 and 10.2)."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from operator import itemgetter

from backends import store_backend  # noqa: F401 - the fixture: a SQLite file, then a PostgreSQL database
from test_export import Recorded

from annotator.core import Project, export
from annotator.core.csv_cells import SafeCsvWriter, neutralise
from annotator.core.joined_rows import write_joined
from annotator.core.labels_csv import LABEL_CSV_COLUMNS


def _batches(rows: list[tuple], rng: random.Random) -> list[list[tuple]]:
    out, start = [], 0
    while start < len(rows):
        size = rng.randint(1, 7)
        out.append(rows[start:start + size])
        start += size
    return out


def test_merged_batches_are_one_sorted_stream():
    rng = random.Random(5)
    key = itemgetter(1, 0)
    for _ in range(200):
        rows = [(f"i{n}", rng.choice("abc")) for n in rng.sample(range(1000), rng.randint(0, 60))]
        chosen = {row for row in rows if rng.random() < rng.choice((0.05, 0.5, 0.95))}
        first = sorted((r for r in rows if r not in chosen), key=key)
        second = sorted(chosen, key=key)
        merged = list(export.merge_batches(_batches(first, rng), _batches(second, rng), key))
        assert [row for batch in merged for row in batch] == sorted(rows, key=key)
        assert all(merged), "no empty batch"


def _expected_csv(rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LABEL_CSV_COLUMNS)
    writer.writerows(tuple(map(neutralise, row)) for row in rows)
    return out.getvalue()


def test_the_long_csv_is_the_same_in_batches_of_any_size(store_backend, items_file, tmp_path,  # noqa: F811
                                                          monkeypatch):
    """Lone notes and work with nothing on it fall between labels of other work, across batch ends; the file
    is the csv module's text of the reference rows, cells guarded, whatever the batch size."""
    with Project.create(store_backend) as p:
        p.import_items([items_file])
        record = Recorded(p)
        for who in ("ann", "bea", "=cal", "dan"):
            for n, target in enumerate(("item", "criterion:c1", "criterion:c2", "criterion:c3")):
                if (n + len(who)) % 3:
                    record.label("r1", "rift", who, target, "low_signal" if target == "item" else "subjective")
                elif who != "dan":
                    record.note("r1", "rift", who, target, f"@{who} on {target}, \"quoted\"\nsecond line")
            record.finish("r2", "rift", who)  # nothing on it: a row with an empty label
            if who != "bea":
                record.finish("r1", "rift", who)
        written = {}
        for batch in (export.BATCH, 1, 2, 3):
            monkeypatch.setattr(export, "BATCH", batch)
            out = tmp_path / f"long{batch}.csv"
            assert export.export_labels_csv(p, out) == len(record.labels) + len(record.notes) + 4
            written[batch] = out.read_bytes()
        expected = _expected_csv(record.expected())
        assert {text.decode("utf-8") for text in written.values()} == {expected}
        assert "'=cal" in expected and "'@ann on" in expected  # the guard was needed, and is there


def test_labels_are_read_from_their_index_without_a_sort(filled_project):
    filled_project.labels.add("r1", "rift", "alice", "item", "low_signal")
    conn = sqlite3.connect(filled_project.url.removeprefix("sqlite:///"))
    query = export._labelled_query(None, None, None, False)
    from sqlalchemy.dialects import sqlite

    plan = " / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + str(query.compile(
        dialect=sqlite.dialect()))))
    conn.close()
    assert "SCAN label USING COVERING INDEX ix_label_file_order" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_the_writer_checks_rows_of_any_length():
    out = io.StringIO()
    SafeCsvWriter(out).write([("a",), ("b", "=c"), ("@d", "e", "-1")])
    assert out.getvalue() == "a\r\nb,'=c\r\n'@d,e,-1\r\n"


def test_plain_columns_are_not_looked_at():
    """The caller vouches for them (the long CSV's timestamps and done words): they alone never make the
    writer rebuild a batch; a batch rebuilt for another cell has every cell guarded."""
    out = io.StringIO()
    writer = SafeCsvWriter(out, plain_columns=[1])
    writer.write([("a", "=b")])
    writer.write([("=a", "=b")])
    assert out.getvalue() == "a,=b\r\n'=a,'=b\r\n"


# --- rows SQLite joins itself (the SQLite export's way) ----------------------------------------------------

# (a note is kept without the spaces around it, and an empty one is no note: the store does both)
AWKWARD = ["plain words", "a, comma", 'a "quote"', "two\nlines", "carriage\rreturn", "crlf\r\nend", "=SUM(A1)",
           "+cmd", "-x", "@name", "-1", "+2.5e3", "'=already guarded", "'hello", "in  side\ttab", "é漢字😀",
           "'", "semi;colon", "'\tx"]


def _awkward_project(path, items_file, rng: random.Random, with_separator: bool) -> Recorded:
    p = Project.create(path)
    p.import_items([items_file])
    record = Recorded(p)
    for who in ("ann", "=bea", "-1", "cal,d", "dan"):
        for item_id in ("r1", "r2"):
            for target in ("item", *(f"criterion:{c.id}" for c in p.items.get(item_id).criteria)):
                if rng.random() < 0.6:
                    record.label(item_id, "rift", who, target, "low_signal" if target == "item" else "subjective")
                if rng.random() < 0.5:
                    record.note(item_id, "rift", who, target, rng.choice(AWKWARD))
            if rng.random() < 0.7:
                record.finish(item_id, "rift", who)
    if with_separator:
        record.note("r2", "rift", "dan", "item", "a cell holding the \x1f separator")
    return record


def test_joined_rows_write_what_the_csv_module_writes(items_file, tmp_path, monkeypatch):
    """Awkward cells (quotes, commas, line breaks, formulas, numbers, apostrophes, empty cells) in batches of
    any size give the csv module's text of the reference rows; the rows are never taken apart cell by cell
    unless a batch needs it."""
    spied = []
    original = export._long_rows
    monkeypatch.setattr(export, "_long_rows", lambda *a: spied.append(a) or original(*a))
    for seed in range(4):
        rng = random.Random(seed)
        record = _awkward_project(tmp_path / f"p{seed}.sqlite", items_file, rng, with_separator=False)
        expected = _expected_csv(record.expected())
        for batch in (export.BATCH, 1, 2, 5):
            monkeypatch.setattr(export, "BATCH", batch)
            out = tmp_path / f"long{seed}-{batch}.csv"
            assert export.export_labels_csv(record.project, out) == len(record.expected())
            assert out.read_bytes().decode("utf-8") == expected, (seed, batch)
            for done_only in (True, False):
                narrowed = tmp_path / f"narrow{seed}-{batch}.csv"
                export.export_labels_csv(record.project, narrowed, taxonomy="rift", annotator="=bea",
                                         done_only=done_only)
                assert narrowed.read_bytes().decode("utf-8") == _expected_csv(
                    record.expected("rift", "=bea", done_only))
        record.project.close()
    assert spied == [], "the SQLite export wrote joined rows"


def test_plain_batches_go_out_whole_and_a_guarded_one_cell_by_cell(tmp_path):
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    rows = [("a", "b", "c"), ("d", "e", "f")]
    write_joined(writer, out, [("\x1f".join(row), 0) for row in rows], 3)
    write_joined(writer, out, [("=x\x1fy\x1f-1", 1), ("g\x1fh\x1fi", 0), ("p\x1f@q\x1fr,s", 1), ("j\x1fk,l\x1fm", 0),
                         ("n\x1fo\x1fp", 0)], 3)
    assert out.getvalue() == "a,b,c\r\nd,e,f\r\n'=x,y,-1\r\ng,h,i\r\np,'@q,\"r,s\"\r\nj,\"k,l\",m\r\nn,o,p\r\n"


def test_a_cell_holding_the_separator_falls_back_to_cells(items_file, tmp_path, monkeypatch):
    record = _awkward_project(tmp_path / "p.sqlite", items_file, random.Random(9), with_separator=True)
    spied = []
    original = export._long_rows
    monkeypatch.setattr(export, "_long_rows", lambda *a: spied.append(a) or original(*a))
    out = tmp_path / "long.csv"
    export.export_labels_csv(record.project, out)
    assert out.read_bytes().decode("utf-8") == _expected_csv(record.expected())
    assert len(spied) == 1, "written again from cells"
    record.project.close()


def test_done_work_is_walked_in_the_order_of_its_key(filled_project):
    """The rows of done work without a label probe the label index in its own order, item after item."""
    from sqlalchemy.dialects import sqlite

    query = export._unlabelled_query(None, None, None, False, "sqlite").compile(dialect=sqlite.dialect())
    conn = sqlite3.connect(filled_project.url.removeprefix("sqlite:///"))
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + str(query),
                                           [query.construct_params()[name] for name in query.positiontup])]
    conn.close()
    assert "SEARCH completion USING COVERING INDEX sqlite_autoindex_completion_1 (item_id>?)" in plan, plan
