"""Several annotators label one project at the same moment, from separate processes, on SQLite and PostgreSQL
(DESIGN sections 3 and 9): nobody sees "database is locked" or any other error, no label is lost, none is
duplicated, and a single-choice unit never ends up with two answers from one annotator."""

from __future__ import annotations

import multiprocessing
import queue
import time

import pytest
from sqlalchemy import func, select

from annotator.core import Project
from annotator.core.store.tables import COMPLETION, LABEL
from backends import label_worker, read_worker, rubric_records, store_backend, write_jsonl  # noqa: F401

ITEMS = 20
CRITERION_LABELS = ["subjective", "non_atomic", "ungrounded"]


def _run(ctx, location: str, jobs: list[tuple[str, list]], with_reader: bool, timeout: float = 900) -> dict:
    """Start one process per (annotator, actions) job (and a reader), all released at the same instant."""
    results = ctx.Queue()
    stop = ctx.Event()
    start_at = time.time() + 3.0  # every child has imported the app and opened the project by then
    procs = [ctx.Process(target=label_worker, args=(location, name, actions, results, start_at))
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
    ctx = multiprocessing.get_context("spawn")
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
    found = _run(multiprocessing.get_context("spawn"), store_backend, jobs, with_reader=False)

    errors = [e for runs in found.values() for _count, errs in runs for e in errs]
    assert errors == [], "\n".join(errors[:3])
    with Project.open(store_backend) as project:
        with project.db.read() as conn:
            per_unit = conn.execute(select(LABEL.c.item_id, LABEL.c.target, func.count())
                                    .where(LABEL.c.taxonomy == "step_rating")
                                    .group_by(LABEL.c.item_id, LABEL.c.target)).all()
        assert len(per_unit) == len(units)
        assert {n for _item, _target, n in per_unit} == {1}
