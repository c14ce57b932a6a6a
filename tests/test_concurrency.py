"""Several annotators label one project at the same moment, from separate processes, on SQLite and PostgreSQL
(DESIGN sections 3 and 9): nobody sees "database is locked" or any other error, no label is lost, none is
duplicated, and a single-choice unit never ends up with two answers from one annotator."""

from __future__ import annotations

import queue
import time

import pytest
from sqlalchemy import func, select

from annotator.core import Project
from annotator.core.store.database import bulk_insert
from annotator.core.store.tables import ANNOTATOR, COMPLETION, LABEL
from backends import (bulk_worker, label_worker, read_worker, rubric_records, store_backend,  # noqa: F401
                      worker_context, write_jsonl)

ITEMS = 20
CRITERION_LABELS = ["subjective", "non_atomic", "ungrounded"]


def _run(ctx, location: str, jobs: list[tuple[str, list]], with_reader: bool, timeout: float = 900) -> dict:
    """Start one process per (annotator, actions) job (and a reader), all released at the same instant."""
    results = ctx.Queue()
    stop = ctx.Event()
    start = ctx.Barrier(len(jobs))
    procs = [ctx.Process(target=label_worker, args=(location, name, actions, results, start))
             for name, actions in jobs]
    if with_reader:
        procs.append(ctx.Process(target=read_worker, args=(location, stop, results)))
    for p in procs:
        p.start()
    found: dict[str, list] = {}
    deadline = time.monotonic() + timeout
    try:
        for _ in jobs:
            name, count, errors = results.get(timeout=max(1.0, deadline - time.monotonic()))
            found.setdefault(name, []).append((count, errors))
        stop.set()
        if with_reader:
            name, count, errors = results.get(timeout=60)
            found[name] = [(count, errors)]
    except queue.Empty:
        pytest.fail(f"the workers did not finish in {timeout:.0f} s (finished: {sorted(found)})")
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return found


def _criterion_actions(reverse: bool = False) -> list[tuple[str, str, str, str, str]]:
    actions = [("add", f"r{i:04d}", "rift", f"criterion:c{c}", lab)
               for i in range(ITEMS) for c in range(1, 6) for lab in CRITERION_LABELS]
    actions += [("done", f"r{i:04d}", "rift", "item", "") for i in range(ITEMS)]
    return actions[::-1] if reverse else actions


def test_writers_and_a_reader_at_once_lose_nothing_and_duplicate_nothing(store_backend, tmp_path):
    with Project.create(store_backend, taxonomies=["rift"]) as project:
        project.import_items([write_jsonl(tmp_path / "items.jsonl", rubric_records(ITEMS))])
    ctx = worker_context()
    jobs = [
        ("alice", _criterion_actions()),
        ("alice", _criterion_actions(reverse=True)),  # the same labels again, from a second window, at once
        ("bob", _criterion_actions()),
    ]
    found = _run(ctx, store_backend, jobs, with_reader=True)

    errors = [e for runs in found.values() for _count, errs in runs for e in errs]
    assert errors == [], "\n".join(errors[:3])
    assert not any("locked" in e for e in errors)
    for runs in found.values():
        for count, _errs in runs:
            assert count > 0
    assert all(count == len(_criterion_actions()) for name, runs in found.items() if name != "reader"
               for count, _ in runs)

    expected = {(f"r{i:04d}", ann, f"criterion:c{c}", lab)
                for ann in ("alice", "bob") for i in range(ITEMS) for c in range(1, 6) for lab in CRITERION_LABELS}
    with Project.open(store_backend) as project:
        with project.db.read() as conn:
            rows = conn.execute(select(LABEL.c.item_id, LABEL.c.annotator, LABEL.c.target, LABEL.c.label)).all()
            done = conn.execute(select(func.count()).select_from(COMPLETION)).scalar()
        assert len(rows) == len(expected)  # nothing duplicated
        assert {tuple(r) for r in rows} == expected  # nothing lost
        assert done == 2 * ITEMS
        assert project.info()["done"] == {"alice": {"rift": ITEMS}, "bob": {"rift": ITEMS}}


def test_racing_single_choice_answers_leave_one_answer_per_step(store_backend, tmp_path):
    traces = [{"id": f"t{i}", "kind": "trace", "source": "generated", "problem": f"Add {i} and {i}.",
               "steps": [f"Step one of {i}.", f"Step two of {i}.", f"Step three of {i}."]} for i in range(10)]
    with Project.create(store_backend, taxonomies=["step_rating"]) as project:
        project.import_items([write_jsonl(tmp_path / "traces.jsonl", traces)])
        rating_ids = [lab.id for lab in project.taxonomies.get("step_rating").labels]
    units = [(f"t{i}", f"step:s{s}") for i in range(10) for s in range(1, 4)]
    # the same annotator in two windows gives different ratings to the same steps, round after round
    jobs = [("carol", [("add", item, "step_rating", target, rating_ids[(n + k) % len(rating_ids)])
                       for n in range(3) for item, target in units]) for k in (0, 1)]
    found = _run(worker_context(), store_backend, jobs, with_reader=False)

    errors = [e for runs in found.values() for _count, errs in runs for e in errs]
    assert errors == [], "\n".join(errors[:3])
    with Project.open(store_backend) as project:
        with project.db.read() as conn:
            per_unit = conn.execute(select(LABEL.c.item_id, LABEL.c.target, func.count())
                                    .where(LABEL.c.taxonomy == "step_rating")
                                    .group_by(LABEL.c.item_id, LABEL.c.target)).all()
        assert len(per_unit) == len(units)
        assert {n for _item, _target, n in per_unit} == {1}


def test_a_merge_and_a_labels_import_at_once_both_succeed(store_backend, tmp_path):
    """Two long writers and a person labelling, at the same instant: each long writer checks its input
    before it takes the write lock and then writes in bulk, so none waits past its patience."""
    from annotator.core.export import export_labels_csv

    count = 600
    items = write_jsonl(tmp_path / "items.jsonl", rubric_records(count))
    with Project.create(store_backend, taxonomies=["rift"]) as project:
        project.import_items([items])
    laptop = tmp_path / "bob.sqlite"  # bob's laptop: the same items, his labels
    csv_source = tmp_path / "carol.sqlite"  # carol's laptop, exported as a labels CSV
    for path, name in ((laptop, "bob"), (csv_source, "carol")):
        with Project.create(path, taxonomies=["rift"]) as other:
            other.import_items([items])
            _fill(other, name, count)
    with Project.open(csv_source) as carol:
        export_labels_csv(carol, tmp_path / "carol.csv")
    ctx = worker_context()
    results = ctx.Queue()
    start = ctx.Barrier(3)
    procs = [ctx.Process(target=bulk_worker, args=(store_backend, "merge", str(laptop), results, start)),
             ctx.Process(target=bulk_worker, args=(store_backend, "labels", str(tmp_path / "carol.csv"), results,
                                                   start)),
             ctx.Process(target=label_worker, args=(store_backend, "alice", _criterion_actions(), results, start))]
    for p in procs:
        p.start()
    try:
        outcomes = {}
        for _ in procs:
            name, summary, errors = results.get(timeout=300)
            outcomes[name] = (summary, errors)
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(errors == [] for _, errors in outcomes.values()), outcomes
    assert outcomes["merge"][0].startswith("merged 0 items")
    with Project.open(store_backend) as project:
        with project.db.read() as conn:
            per_person = dict(conn.execute(select(LABEL.c.annotator, func.count()).group_by(LABEL.c.annotator)).all())
        assert per_person == {"bob": count * 5 * 2, "carol": count * 5 * 2, "alice": ITEMS * 5 * 3}
        assert project.info()["done"] == {"alice": {"rift": ITEMS}, "bob": {"rift": count},
                                          "carol": {"rift": count}}


def _fill(project: Project, annotator: str, count: int) -> None:
    """Two labels on each criterion of every item, and every item done, written straight into the file."""
    stamp = "2026-01-01T00:00:00+00:00"

    def work(conn):
        conn.execute(ANNOTATOR.insert().values(name=annotator, kind="human", created_at=stamp))
        bulk_insert(conn, LABEL, [{"item_id": f"r{i:04d}", "taxonomy": "rift", "annotator": annotator,
                                   "target": f"criterion:c{c}", "label": lab, "created_at": stamp}
                                  for i in range(count) for c in range(1, 6) for lab in CRITERION_LABELS[:2]])
        bulk_insert(conn, COMPLETION, [{"item_id": f"r{i:04d}", "taxonomy": "rift", "annotator": annotator,
                                        "done_at": stamp} for i in range(count)])

    project.db.write(work)
