"""Labels brought in by the thousand (a labels CSV, another laptop's project): checked row by row where the
input is read, then written in one short transaction.

Reading and checking an input can take a while; holding the project's write lock for all of it would make a
teammate's key press, or a merge started beside it, wait past its patience. So a batch is checked against a
read of the project first, and the write transaction only checks again what another writer could have changed
meanwhile (single-choice answers stored since), skips what is already there, and inserts the rest with the
driver's executemany: the lock is held for about as long as SQLite needs to insert the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import Connection, and_, delete, insert, select

from ..errors import InputError, Problem
from .database import bulk_insert
from .labels import now
from .placement import CHUNK, Placement
from .tables import ANNOTATOR, COMPLETION, LABEL, NOTE

LabelKey = tuple[str, str, str, str, str]  # item, taxonomy, annotator, target, label


@dataclass(frozen=True)
class LabelRowIn:
    """One row an input brings in. An empty `label` says "nothing on this target" (it may carry a note);
    `done` false stores the label without marking the item done for the annotator (unfinished work)."""

    file: str
    line: int
    item_id: str
    taxonomy: str
    annotator: str
    target: str = "item"
    label: str = ""
    note: str = ""
    created_at: str | None = None
    done: bool = True
    item_kind: str = ""
    done_at: str | None = None  # when the item was marked done (None: now)
    row: str = ""  # how a message names this row when the input has no lines (a merged project's table)


@dataclass
class LabelImportSummary:
    rows: int = 0
    labels_added: int = 0
    done_added: int = 0
    notes: int = 0
    annotators: tuple[str, ...] = ()

    def line(self) -> str:
        return (f"read {self.rows} rows: {self.labels_added} new labels, {self.done_added} newly done items, "
                f"{self.notes} notes, annotators {', '.join(self.annotators) or 'none'}")


@dataclass
class LabelBatch:
    """What a batch brings in, keyed so the same label twice is one label."""

    labels: dict[LabelKey, tuple[str | None, str, int]] = field(default_factory=dict)  # -> created_at, file, line
    done: dict[tuple[str, str, str], str | None] = field(default_factory=dict)  # -> done_at (None: now)
    notes: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    annotators: dict[str, str] = field(default_factory=dict)  # name -> kind
    taxonomies: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    def add(self, placement: Placement, row: LabelRowIn) -> None:
        """Check one row; keep it, or keep its problem (file:line: field: message)."""
        self.rows += 1
        where = _where(row.file, row.line)
        if row.item_kind:
            kind = placement.kind(row.item_id)
            if kind is not None and kind != row.item_kind:
                self.problems.append(Problem(row.file, row.line, "item_kind",
                                             f"item {row.item_id!r} is a {kind}, not a {row.item_kind}"))
                return
        problem = placement.problem(row.item_id, row.taxonomy, row.annotator, row.target, row.label, where)
        if problem is not None:
            field_, message = problem
            self.problems.append(Problem(row.file, row.line, field_, f"{row.row}: {message}" if row.row else message))
            return
        self.taxonomies.add(row.taxonomy)
        self.annotators.setdefault(row.annotator, "human")
        if row.done:
            self.done.setdefault((row.item_id, row.taxonomy, row.annotator), row.done_at)
        if row.note:
            self.notes[(row.item_id, row.taxonomy, row.annotator, row.target)] = row.note
        if row.label:
            self.labels.setdefault((row.item_id, row.taxonomy, row.annotator, row.target, row.label),
                                   (row.created_at, row.file, row.line))

    def add_all(self, placement: Placement, rows: Iterable[LabelRowIn], chunk: int = 2000) -> None:
        """Check rows a chunk at a time, reading what the check needs for each chunk's items in one go."""
        pending: list[LabelRowIn] = []
        try:
            for row in rows:
                pending.append(row)
                if len(pending) >= chunk:
                    self._add_chunk(placement, pending)
                    pending = []
        except InputError as exc:  # a reader lists what it could not read when it reaches the end
            self.problems.extend(exc.problems)
        self._add_chunk(placement, pending)

    def _add_chunk(self, placement: Placement, rows: list[LabelRowIn]) -> None:
        placement.prefetch(r.item_id for r in rows)
        for r in rows:
            self.add(placement, r)

    def raise_problems(self) -> None:
        """Every problem, file by file in the order the files came, by line within each."""
        if self.problems:
            order = {name: i for i, name in reversed(list(enumerate(p.file for p in self.problems)))}
            raise InputError(sorted(self.problems, key=lambda p: (order[p.file], p.line)))

    # --- in the write transaction ---------------------------------------------------------------------
    def recheck(self, placement: Placement) -> None:
        """Check the single-choice answers again against what the project holds now (a teammate may have
        answered since the batch was read); raises InputError when one clashes."""
        single = {t for t in self.taxonomies if getattr(placement.taxonomy(t), "choice", "") == "single"}
        keys = [k for k in self.labels if k[1] in single]
        placement.prefetch(k[0] for k in keys)
        problems = []
        for key in keys:
            _, file, line = self.labels[key]
            problem = placement.problem(*key, _where(file, line))
            if problem is not None:
                problems.append(Problem(file, line, *problem))
        if problems:
            raise InputError(problems)

    def write(self, conn: Connection) -> LabelImportSummary:
        """Insert what the project lacks: annotators, labels, completions; notes replace the stored ones."""
        counts = LabelImportSummary(rows=self.rows, annotators=tuple(sorted(self.annotators)))
        known = set(conn.execute(select(ANNOTATOR.c.name)).scalars())
        stamp = now()
        new_people = [{"name": n, "kind": k, "created_at": stamp} for n, k in sorted(self.annotators.items())
                      if n not in known]
        if new_people:
            conn.execute(insert(ANNOTATOR), new_people)
        items = sorted({k[0] for k in self.labels} | {k[0] for k in self.done})
        have_labels: set[tuple] = set()
        have_done: set[tuple] = set()
        for i in range(0, len(items), CHUNK):
            chunk = items[i:i + CHUNK]
            have_labels.update(conn.execute(select(LABEL.c.item_id, LABEL.c.taxonomy, LABEL.c.annotator,
                                                   LABEL.c.target, LABEL.c.label)
                                            .where(LABEL.c.item_id.in_(chunk))).all())
            have_done.update(conn.execute(select(COMPLETION.c.item_id, COMPLETION.c.taxonomy,
                                                 COMPLETION.c.annotator).where(COMPLETION.c.item_id.in_(chunk))).all())
        rows = [{"item_id": k[0], "taxonomy": k[1], "annotator": k[2], "target": k[3], "label": k[4],
                 "created_at": created or stamp}
                for k, (created, _, _) in self.labels.items() if k not in have_labels]
        bulk_insert(conn, LABEL, rows)
        counts.labels_added = len(rows)
        done = [{"item_id": k[0], "taxonomy": k[1], "annotator": k[2], "done_at": at or stamp}
                for k, at in sorted(self.done.items()) if k not in have_done]
        bulk_insert(conn, COMPLETION, done)
        counts.done_added = len(done)
        for (item_id, tax_id, ann, target), text in self.notes.items():
            conn.execute(delete(NOTE).where(and_(NOTE.c.item_id == item_id, NOTE.c.taxonomy == tax_id,
                                                 NOTE.c.annotator == ann, NOTE.c.target == target)))
        bulk_insert(conn, NOTE, [{"item_id": k[0], "taxonomy": k[1], "annotator": k[2], "target": k[3], "text": t,
                                  "updated_at": stamp} for k, t in self.notes.items()])
        counts.notes = len(self.notes)
        return counts


def _where(file: str, line: int) -> str:
    return f"at {file}:{line}" if line else f"in {file}"


def store_label_rows(project, sources: Iterable[Iterable[LabelRowIn]]) -> LabelImportSummary:
    """Bring labels in from inputs (one row source per file), all or nothing.

    Built-in taxonomies the rows name are added to the project; annotators are created as people. Rows are
    checked against a read of the project, then written in one short transaction (see the module docstring)."""
    lookup = project.taxonomies.lookup
    batch = LabelBatch()
    with project.db.read() as conn:
        placement = Placement(conn, lookup)
        for rows in sources:
            batch.add_all(placement, rows)
    batch.raise_problems()

    def work(conn: Connection) -> LabelImportSummary:
        for tax_id in sorted(batch.taxonomies):
            project.taxonomies.ensure_in(conn, tax_id)
        batch.recheck(Placement(conn, lookup))
        return batch.write(conn)

    counts = project.db.write(work)
    project.taxonomies.forget()
    return counts
