"""What an import stages for each record, and how the files arrive in batches with their problems."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from annotator.core.model import Item, Label, Record, Step
from annotator.core.store.import_reader import BATCH, read_staged
from annotator.core.store.staged_rows import staged_item


def trace(i: int) -> dict:
    return {"id": f"t{i}", "kind": "trace", "source": "Bench", "problem": f"Problem {i}",
            "steps": [f"Step One of {i}", "Step Two"]}


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def test_staged_item_holds_every_derived_value(tmp_path: Path) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG not really")
    item = Item(id="c1", kind="caption", source="Set", image=str(image), caption="A Cat ON a mat",
                criteria=({"id": "k1", "text": "Names The Cat"}, {"id": "k2", "text": "Mat"}))
    stamp = datetime(2026, 1, 2, 3, 4, 5)
    record = Record(item=item, line=7, shared=True, labels=(
        Label(item_id="c1", taxonomy="t", annotator="ann", target="criterion:k1", label="x", created_at=stamp),
        Label(item_id="c1", taxonomy="t", annotator="ann", target="criterion:k2", label="y")))
    row = staged_item(record)
    assert (row.id, row.line, row.shared, row.kind, row.source, row.title) == (
        "c1", 7, True, "caption", "Set", "A Cat ON a mat")
    assert row.text == "c1\nset\na cat on a mat\nnames the cat\nmat"
    stored = json.loads(row.data)
    assert stored["image"] == "cat.png" and Item.model_validate(stored).criteria == item.criteria
    assert row.image == (hashlib.sha256(b"\x89PNG not really").hexdigest(), b"\x89PNG not really")
    assert row.units == (("criterion:k1", "criterion", 0), ("criterion:k2", "criterion", 1))
    assert row.labels == (("c1", "t", "ann", "criterion:k1", "x", "2026-01-02T03:04:05"),
                          ("c1", "t", "ann", "criterion:k2", "y", None))


def test_staged_trace_has_step_units_and_no_image() -> None:
    item = Item(id="t1", kind="trace", problem="P", steps=(Step(id="s1", text="A"), Step(id="s2", text="B")),
                answer="42")
    row = staged_item(Record(item=item, line=1))
    assert row.image is None and row.labels == ()
    assert row.units == (("step:s1", "step", 0), ("step:s2", "step", 1))
    assert row.text == "t1\np\n42\na\nb"


def test_files_arrive_in_batches_with_their_problems_last(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [trace(i) for i in range(BATCH * 2 + 5)])
    bad = write_jsonl(tmp_path / "b.jsonl", [trace(9000), "{not json", trace(9001)])
    progress: list[tuple[int, int]] = []
    chosen: list[tuple[int, str]] = []
    batches = list(read_staged([good, bad], "auto", lambda done, total: progress.append((done, total)),
                               lambda index, name: chosen.append((index, name))))
    shape = [(index, len(rows), None if problems is None else [(p.line, p.message[:12]) for p in problems])
             for index, rows, problems in batches]
    assert shape == [(0, BATCH, None), (0, BATCH, None), (0, 5, []), (1, 2, [(2, "invalid JSON")])]
    assert [r.id for r in batches[3][1]] == ["t9000", "t9001"] and batches[3][1][1].line == 3
    assert chosen == [(0, "items"), (1, "items")]
    total = good.stat().st_size + bad.stat().st_size
    assert progress[-1] == (total, total)
    assert all(t == total for _, t in progress) and [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert any(d == good.stat().st_size for d, _ in progress)  # the second file counts on from the first


def test_a_missing_file_is_its_problem_and_the_next_file_is_still_read(tmp_path: Path) -> None:
    there = write_jsonl(tmp_path / "b.jsonl", [trace(1)])
    batches = list(read_staged([tmp_path / "gone.jsonl", there], "items"))
    assert [(i, len(rows), [p.message for p in problems]) for i, rows, problems in batches] == [
        (0, 0, ["file does not exist"]), (1, 1, [])]


def test_staging_tables_get_large_pages_even_on_a_connection_that_used_its_temporary_database(
        tmp_path: Path) -> None:
    from annotator.core import Project
    from annotator.core.store import staging

    with Project.create(tmp_path / "p.sqlite") as project:
        with project.db.pinned() as conn:
            conn.exec_driver_sql("CREATE TEMPORARY TABLE scratch (x)")  # the temporary database opens on 4 KB pages
            conn.commit()
            staging.create(conn)
            assert conn.exec_driver_sql("PRAGMA temp.page_size").scalar() == staging.TEMP_PAGE_SIZE
            staging.drop(conn)
        path = write_jsonl(tmp_path / "t.jsonl", [trace(1), trace(2)])
        assert project.import_items([path]).items == 2 and project.items.count() == 2
