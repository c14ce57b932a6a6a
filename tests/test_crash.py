"""A kill at any moment loses nothing that was shown as saved (DESIGN section 9).

tests/crash_worker.py labels a project in a loop and reports each write once the store call returned; this test
runs it in a process of its own (see backends.worker_context) and kills it with SIGKILL at a random point, round
after round, then reopens the project and checks that every reported write is there (and every reported removal
stayed removed) and that SQLite finds the file intact.

The moment of each kill is counted in the worker's own lines, not in seconds: a round waits for a random number
of reported lines and then kills at once, so a slow or loaded machine runs every round and kills every worker
mid-work, where a timer would kill it before its first write or end the rounds early.
"""

from __future__ import annotations

import random
import signal
import sqlite3
from pathlib import Path

from sqlalchemy import select

from annotator.core import Project
from annotator.core.store.tables import COMPLETION, LABEL
from backends import rubric_records, worker_context, write_jsonl
from crash_worker import report_to
ROUNDS = 10
MAX_LINES_BEFORE_KILL = 400  # each round kills after a random number (1 to this) of lines from the worker


def _state(project: Project, annotator: str) -> tuple[set[tuple], set[str]]:
    with project.db.read() as conn:
        labels = {tuple(r) for r in conn.execute(select(LABEL.c.item_id, LABEL.c.target, LABEL.c.label)
                                                 .where(LABEL.c.annotator == annotator))}
        done = set(conn.execute(select(COMPLETION.c.item_id).where(COMPLETION.c.annotator == annotator)).scalars())
    return labels, done


def _replay(lines: list[str]) -> tuple[dict[tuple, bool], dict[str, bool], str | None]:
    """What the reported writes say each key should be, and the one write begun but not reported (if any)."""
    labels: dict[tuple, bool] = {}
    done: dict[str, bool] = {}
    pending = None
    for line in lines:
        word, _, op = line.partition(" ")
        if word == "begin":
            pending = op
            continue
        if word != "saved":
            continue
        pending = None
        parts = op.split()
        if parts[0] in ("label", "unlabel"):
            labels[tuple(parts[1:4])] = parts[0] == "label"
        else:
            done[parts[1]] = parts[0] == "done"
    return labels, done, pending


def _run_and_kill(project_path: Path, annotator: str, rng: random.Random) -> list[str]:
    ctx = worker_context()
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=report_to, args=(str(project_path), annotator, writer))
    proc.start()
    writer.close()  # the worker holds the only writing end: its death ends the stream

    def line() -> str | None:
        try:
            return reader.recv_bytes().decode()
        except EOFError:
            return None

    try:
        first = line()
        assert first == "READY", f"the worker did not start: {first!r} (exit code {proc.exitcode})"
        read: list[str] = []
        for _ in range(rng.randint(1, MAX_LINES_BEFORE_KILL)):
            got = line()
            if got is None:
                break
            read.append(got)
        proc.kill()  # SIGKILL
        proc.join(timeout=30)
        while (got := line()) is not None:  # what it reported before the kill and was not read yet
            read.append(got)
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()
        reader.close()
    assert proc.exitcode == -signal.SIGKILL
    return read


def test_every_write_reported_as_saved_survives_sigkill(tmp_path):
    project_path = tmp_path / "crash.sqlite"
    with Project.create(project_path, taxonomies=["rift"]) as project:
        project.import_items([write_jsonl(tmp_path / "items.jsonl", rubric_records(30))])
    rng = random.Random(7)
    rounds = 0
    reported_total = 0
    while rounds < ROUNDS:
        # two annotators take turns, so a round also picks up where an earlier killed one left off
        annotator = f"worker{rounds % 2}"
        lines = _run_and_kill(project_path, annotator, rng)
        rounds += 1
        labels, done, pending = _replay(lines)
        reported_total += sum(1 for line in lines if line.startswith("saved "))
        with Project.open(project_path) as project:
            have_labels, have_done = _state(project, annotator)
        pending_key = tuple(pending.split()[1:4]) if pending and "label" in pending.split()[0] else None
        pending_item = pending.split()[1] if pending and pending.split()[0] in ("done", "undone") else None
        for key, present in labels.items():
            if key != pending_key:
                assert (key in have_labels) == present, f"round {rounds}: {key} reported {present}, lost"
        for item_id, finished in done.items():
            if item_id != pending_item:
                assert (item_id in have_done) == finished, f"round {rounds}: done {item_id} lost"

    print(f"{rounds} kills; {reported_total} writes reported saved, all kept")
    assert reported_total > 0
    conn = sqlite3.connect(project_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    with Project.open(project_path) as project:
        assert project.info()["items"]["rubric"] == 30
