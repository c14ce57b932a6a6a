"""Work packages for a team on laptops (DESIGN 10.5): who labels which item, with guaranteed overlap.

Agreement needs items that several people labelled, and a lead splitting files by hand cannot promise that.
`plan_assignment` makes the plan (a calibration set everyone labels, every other item to exactly K people, loads
within one item of each other, pairs of annotators sharing items as evenly as the numbers allow), seeded so that
the same call gives the same plan; `write_packs` writes one project file per annotator; the lead's project
records the plan, so progress against it can be read after the packs are merged back.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Callable

from .errors import AnnotatorError, UsageError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")


@dataclass(frozen=True)
class Plan:
    """Which annotator gets which items. `packs` keeps each annotator's items in the project's list order."""

    annotators: tuple[str, ...]
    overlap: int
    seed: int
    shared: tuple[str, ...]
    packs: dict[str, list[str]] = field(default_factory=dict)

    def annotators_of(self) -> dict[str, list[str]]:
        """item id -> the annotators it went to."""
        out: dict[str, list[str]] = {}
        for name, items in self.packs.items():
            for item in items:
                out.setdefault(item, []).append(name)
        return out

    def pair_overlap(self) -> dict[tuple[str, str], int]:
        """How many items each pair of annotators shares (what pairwise agreement will be computed over)."""
        counts = {pair: 0 for pair in combinations(self.annotators, 2)}
        for names in self.annotators_of().values():
            for pair in combinations(sorted(names, key=self.annotators.index), 2):
                counts[pair] += 1
        return counts


def check_annotator_names(names: list[str]) -> list[str]:
    """Annotator names become file names: refuse what would not make a plain, portable one."""
    if not names:
        raise UsageError("name at least one annotator (--annotators alice,bob,carol)")
    seen: set[str] = set()
    for name in names:
        if not _NAME.match(name) or name.endswith((".", " ")):
            raise UsageError(f"annotator name {name!r} cannot be a file name: use letters, digits, space, . _ @ -")
        if name.lower() in seen:
            raise UsageError(f"annotator {name!r} is named twice")
        seen.add(name.lower())
    return names


def plan_assignment(item_ids: list[str], annotators: list[str], overlap: int, shared: int = 0,
                    seed: int = 0) -> Plan:
    """Plan the packs. Items come in list order; the calibration set is the first `shared` items of a seeded
    shuffle. The rest go one by one (in that shuffled order) to the `overlap` least loaded annotators; among
    equally loaded ones, those who have shared fewest items with the ones already chosen for the item come first,
    then a seeded draw. Always taking the least loaded keeps every two loads within one item of each other."""
    annotators = check_annotator_names(list(annotators))
    if not 1 <= overlap <= len(annotators):
        raise UsageError(f"--overlap must be between 1 and the number of annotators ({len(annotators)})")
    if not 0 <= shared <= len(item_ids):
        raise UsageError(f"--shared must be between 0 and the number of items ({len(item_ids)})")
    rng = random.Random(seed)
    order = list(item_ids)
    rng.shuffle(order)
    calibration = order[:shared]
    load = {a: shared for a in annotators}
    together = {pair: 0 for pair in combinations(sorted(annotators), 2)}
    chosen_for: dict[str, list[str]] = {item: list(annotators) for item in calibration}
    for item in order[shared:]:
        chosen: list[str] = []
        draw = {a: rng.random() for a in annotators}
        for _ in range(overlap):
            rest = [a for a in annotators if a not in chosen]
            best = min(rest, key=lambda a: (load[a], sum(together[tuple(sorted((a, c)))] for c in chosen), draw[a]))
            chosen.append(best)
        for a in chosen:
            load[a] += 1
        for pair in combinations(sorted(chosen), 2):
            together[pair] += 1
        chosen_for[item] = chosen
    position = {item: k for k, item in enumerate(item_ids)}
    packs = {a: [] for a in annotators}
    for item in sorted(chosen_for, key=position.__getitem__):
        for a in chosen_for[item]:
            packs[a].append(item)
    return Plan(tuple(annotators), overlap, seed, tuple(sorted(calibration, key=position.__getitem__)), packs)


Progress = Callable[[int, int], None]


def _fold_wal(path: Path) -> None:
    """Fold a closed SQLite file's write-ahead log into it, so renaming the file alone moves all of it."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    Path(f"{path}-wal").unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)


def write_packs(project, plan: Plan, out_dir: str | Path, taxonomies: list[str] | None = None,
                progress: Progress | None = None) -> list[Path]:
    """One project file per annotator, `<out_dir>/<name>.sqlite`, holding that annotator's items (with their
    images) and the chosen taxonomies (all of the project's when None). Each file is built under a temporary
    name and renamed when whole, so a failed or interrupted run never leaves a half pack that looks finished.
    The plan is recorded in the lead's project only after every pack is written."""
    from .store import Project  # the store pulls in SQLAlchemy; planning alone does not need it

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise AnnotatorError(f"{out} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    chosen_tax = [project.taxonomies.get(t) for t in (taxonomies or project.taxonomies.ids())]
    targets = {name: out / f"{name}.sqlite" for name in plan.annotators}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing:
        raise AnnotatorError(f"not overwriting existing packs: {', '.join(existing)} (remove them or choose another "
                             "--out folder)")
    total = sum(len(items) for items in plan.packs.values())
    done = 0
    written: list[Path] = []
    try:
        for name in plan.annotators:
            partial = out / f".{name}.sqlite.partial"
            for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
                leftover.unlink(missing_ok=True)
            with Project.create(partial, taxonomies=chosen_tax) as pack:
                wanted = plan.packs[name]
                for batch in project.items.batches_with_images(wanted):
                    pack.items.add_batch(batch)
                    done += len(batch)
                    if progress:
                        progress(done, total)
            _fold_wal(partial)
            os.replace(partial, targets[name])
            written.append(targets[name])
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for name in plan.annotators:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{out / f'.{name}.sqlite.partial'}{suffix}").unlink(missing_ok=True)
        raise
    project.assignments.replace(plan)
    return written
