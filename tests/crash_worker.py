"""Label a project in a loop until killed, telling the parent about every write that has returned.

    python crash_worker.py PROJECT ANNOTATOR

Prints `READY` once the project is open, then for each write `begin OP` before it and `saved OP` after the
store call returned (that is, when the user would be shown it as saved), where OP is `label ITEM TARGET LABEL`,
`unlabel ITEM TARGET LABEL`, `done ITEM` or `undone ITEM`. Each line is flushed at once, so whatever the parent
reads was reported before the kill; the one write begun and not reported may or may not have been committed. tests/test_crash.py kills this process with
SIGKILL at random moments and checks that every reported write survived.
"""

from __future__ import annotations

import itertools
import sys

from annotator.core import Project

LABELS = ["subjective", "non_atomic", "ungrounded", "misaligned_or_rigid", "hackable"]


def main(location: str, annotator: str) -> None:
    with Project.open(location) as project:
        items = [s.id for s in project.items.page(limit=10_000)]
        targets = {i: project.items.unit_targets(i) for i in items}
        print("READY", flush=True)
        for round_ in itertools.count():
            adding = round_ % 2 == 0  # a second pass takes the labels away, so the loop never runs out of work
            for item_id in items:
                for target in targets[item_id]:
                    for label in LABELS:
                        op = f"{'label' if adding else 'unlabel'} {item_id} {target} {label}"
                        print(f"begin {op}", flush=True)
                        if adding:
                            project.labels.add(item_id, "rift", annotator, target, label)
                        else:
                            project.labels.remove(item_id, "rift", annotator, target, label)
                        print(f"saved {op}", flush=True)
                op = f"{'done' if adding else 'undone'} {item_id}"
                print(f"begin {op}", flush=True)
                project.completion.set_done(item_id, "rift", annotator, done=adding)
                print(f"saved {op}", flush=True)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
