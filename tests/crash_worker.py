"""Label a project in a loop until killed, telling the parent about every write that has returned.

    python crash_worker.py PROJECT ANNOTATOR

Prints `READY` once the project is open, then for each write `begin OP` before it and `saved OP` after the
store call returned (that is, when the user would be shown it as saved), where OP is `label ITEM TARGET LABEL`,
`unlabel ITEM TARGET LABEL`, `done ITEM` or `undone ITEM`. Each line is flushed at once, so whatever the parent
reads was reported before the kill; the one write begun and not reported may or may not have been committed.
tests/test_crash.py runs `report_to` (the same loop, each line written at once to a pipe) in a process of its own
and kills it with SIGKILL at random moments, then checks that every reported write survived.
"""

from __future__ import annotations

import itertools
import sys
from typing import Callable

from annotator.core import Project

LABELS = ["subjective", "non_atomic", "ungrounded", "misaligned_or_rigid", "hackable"]


def _print(line: str) -> None:
    print(line, flush=True)


def main(location: str, annotator: str, report: Callable[[str], None] = _print) -> None:
    with Project.open(location) as project:
        items = [s.id for s in project.items.page(limit=10_000)]
        targets = {i: project.items.unit_targets(i) for i in items}
        report("READY")
        for round_ in itertools.count():
            adding = round_ % 2 == 0  # a second pass takes the labels away, so the loop never runs out of work
            for item_id in items:
                for target in targets[item_id]:
                    for label in LABELS:
                        op = f"{'label' if adding else 'unlabel'} {item_id} {target} {label}"
                        report(f"begin {op}")
                        if adding:
                            project.labels.add(item_id, "rift", annotator, target, label)
                        else:
                            project.labels.remove(item_id, "rift", annotator, target, label)
                        report(f"saved {op}")
                op = f"{'done' if adding else 'undone'} {item_id}"
                report(f"begin {op}")
                project.completion.set_done(item_id, "rift", annotator, done=adding)
                report(f"saved {op}")


def report_to(location: str, annotator: str, conn) -> None:
    """`main` in a process of multiprocessing: each line is one message on `conn` (a pipe's end), written at once."""
    main(location, annotator, lambda line: conn.send_bytes(line.encode()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
