"""The `Project` facade: the one door to a project's database for the app, the command line and notebooks.

    from annotator.core import Project
    with Project.open("team.sqlite") as project:
        project.labels.toggle("r1", "rift", "alice", "criterion:c2", "subjective")

Managers hang off it (`items`, `taxonomies`, `labels`, `notes`, `completion`, `gold`, `predictions`) in the
manner of Anki's collection; each write is one transaction.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from sqlalchemy import Connection, func, insert, inspect, select, update
from sqlalchemy.exc import DatabaseError

from ..errors import AnnotatorError, InputError, NotFound, Problem, TaxonomyClash
from ..model import Item
from ..taxonomy import Taxonomy, builtin_replacement_problem, builtin_taxonomies, load_taxonomy, parse_taxonomy
from .database import Database, is_sqlite, to_url
from . import staging
from .assignments import AssignmentStore
from .database import bulk_insert
from .info import read_info
from .import_reader import Batch, read_staged
from .items import UNIT_COLUMNS, ItemStore
from .staged_rows import LabelRow, StagedItem
from .labels import CompletionStore, LabelStore, NoteStore, ensure_annotator, now
from .opening import check_revision, open_checked
from .results import GoldStore, JudgeCacheStore, PredictionStore
from .suggestions import SuggestionStore
from .writer_thread import WriterThread
from .tables import ANNOTATOR, BLOB, COMPLETION, GOLD, ITEM, LABEL, PREDICTION, SCORED, TAXONOMY, UNIT

if TYPE_CHECKING:  # pandas loads with the statistics that need it, not with every open project
    import pandas as pd

    from ..stats import data as ld

Progress = Callable[[int, int], None]


class TaxonomyStore:
    """The project's taxonomies (copied into the project, so a project file carries its own guidelines)."""

    def __init__(self, db: Database):
        self._db = db
        self._cache: dict[str, Taxonomy] | None = None

    def _load(self) -> dict[str, Taxonomy]:
        if self._cache is None:
            with self._db.read() as conn:
                rows = conn.execute(select(TAXONOMY.c.id, TAXONOMY.c.definition).order_by(TAXONOMY.c.position))
                self._cache = {tid: parse_taxonomy(text, f"taxonomy {tid}") for tid, text in rows}
        return self._cache

    def list(self) -> list[Taxonomy]:
        return list(self._load().values())

    def ids(self) -> list[str]:
        return list(self._load())

    def get(self, taxonomy_id: str) -> Taxonomy:
        found = self._load().get(taxonomy_id)
        if found is None:
            raise NotFound(f"the project has no taxonomy {taxonomy_id!r} (it has: {', '.join(self._load()) or 'none'})")
        return found

    def forget(self) -> None:
        """Read the taxonomies again next time (a transaction that added some has committed)."""
        self._cache = None

    def lookup(self, taxonomy_id: str, builtin: bool = True) -> Taxonomy | None:
        """The project's taxonomy by this id, else (with `builtin`) the built-in one an input may bring in."""
        found = self._load().get(taxonomy_id)
        if found is None and builtin:
            found = builtin_taxonomies().get(taxonomy_id)
        return found

    def for_kind(self, kind: str) -> list[Taxonomy]:
        return [t for t in self.list() if kind in t.applies_to]

    def add_in(self, conn: Connection, tax: Taxonomy) -> None:
        existing = conn.execute(select(TAXONOMY.c.definition).where(TAXONOMY.c.id == tax.id)).first()
        if existing:
            problem = builtin_replacement_problem(parse_taxonomy(existing[0], f"taxonomy {tax.id}"), tax)
            if problem:
                raise TaxonomyClash(tax.id, problem)
            conn.execute(update(TAXONOMY).where(TAXONOMY.c.id == tax.id).values(definition=tax.to_yaml()))
        else:
            pos = (conn.execute(select(func.max(TAXONOMY.c.position))).scalar() or 0) + 1
            conn.execute(insert(TAXONOMY).values(id=tax.id, position=pos, definition=tax.to_yaml()))
        self._cache = None

    def add(self, tax: Taxonomy | str) -> Taxonomy:
        """Add (or update) a taxonomy given as an object, a built-in id or a YAML file path."""
        tax = load_taxonomy(tax) if isinstance(tax, str) else tax
        self._db.write(lambda conn: self.add_in(conn, tax))
        self._cache = None
        return tax

    def ensure_in(self, conn: Connection, taxonomy_id: str) -> None:
        """Within a transaction: a built-in taxonomy an input needs is added to the project on the fly."""
        if taxonomy_id in self._load():
            return
        builtin = builtin_taxonomies().get(taxonomy_id)
        if builtin is None:
            raise NotFound(f"the project has no taxonomy {taxonomy_id!r}")
        self.add_in(conn, builtin)


@dataclass
class ImportSummary:
    files: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    labels: int = 0

    @property
    def items(self) -> int:
        return sum(self.by_kind.values())

    def line(self) -> str:
        parts = ", ".join(f"{self.by_kind.get(k, 0)} {k}" for k in ("rubric", "caption", "trace"))
        extra = f"; {self.labels} labels" if self.labels else ""
        return f"imported {self.items} items: {parts}{extra}"


class Project:
    """An open project. Use `Project.open(path_or_url)`; close it (or use `with`) when done."""

    def __init__(self, db: Database):
        self.db = db
        self.created = False  # True when `open` made the project just now
        self.items = ItemStore(db)
        self.taxonomies = TaxonomyStore(db)
        self.labels = LabelStore(self)
        self.notes = NoteStore(self)
        self.completion = CompletionStore(self)
        self.gold = GoldStore(self)
        self.predictions = PredictionStore(self)
        self.judge_cache = JudgeCacheStore(self)
        self.assignments = AssignmentStore(self)
        self.suggestions = SuggestionStore(self)

    # --- opening ----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path_or_url: str | Path, create: bool = False,
             taxonomies: Iterable[str | Taxonomy] | None = None, read_only: bool = False) -> "Project":
        """Open a project file or database URL, bringing its schema up to date.

        A missing file is an error unless `create` is true; a new project gets the named taxonomies
        (every built-in one when none is named). An existing file passes the checks of `opening.py` first.
        `read_only` is for callers that only read (writes raise ReadOnlyProject); a SQLite file that cannot be
        written opens read-only by itself, and one whose schema is older is brought up to date first."""
        url = to_url(path_or_url)
        checked = None
        if is_sqlite(url):
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                if not create:
                    raise NotFound(f"no project at {path_or_url} (create one with `annotator init`)")
                path.parent.mkdir(parents=True, exist_ok=True)
            elif path.is_dir():
                raise AnnotatorError(f"{path_or_url} is a folder, not a project file")
            else:
                checked = open_checked(path, str(path_or_url), create=create)
                checked.connection.close()
                read_only = (read_only and not checked.needs_upgrade) or not checked.writable
        db = Database(url, read_only=read_only, read_only_uri=checked.uri if checked and read_only else None)
        try:
            if checked is not None and not checked.fresh and not checked.needs_upgrade:
                fresh = False  # a project of this version's schema: nothing for Alembic to do
            else:
                fresh = cls._prepare_schema(db, path_or_url, create)
        except Exception:
            db.dispose()
            raise
        project = cls(db)
        project.created = fresh
        if fresh:
            chosen = [load_taxonomy(t) if isinstance(t, str) else t
                      for t in (list(taxonomies) if taxonomies else builtin_taxonomies().values())]
            # one transaction: a teammate opening the new shared project sees all of its taxonomies or none
            project.db.write(lambda conn: [project.taxonomies.add_in(conn, tax) for tax in chosen])
        return project

    @staticmethod
    def _prepare_schema(db: Database, path_or_url: str | Path, create: bool) -> bool:
        """Bring the schema to this version's head through Alembic; True when the database held no project."""
        try:
            tables = set(inspect(db.engine).get_table_names())
        except DatabaseError:
            raise AnnotatorError(f"{path_or_url} is not a project file (not a SQLite database)") from None
        fresh = "item" not in tables
        if tables and db.schema_revision() is None:
            # someone else's database: never add our tables to it, even when asked to create
            raise AnnotatorError(f"{path_or_url} is a database but not an annotator project")
        if fresh and not create:
            raise NotFound(f"{path_or_url} holds no project yet (create one with `annotator init`)")
        check_revision(db.schema_revision(), str(path_or_url))
        if db.schema_revision() != db.head_revision():
            db.upgrade()
        return fresh

    @classmethod
    def create(cls, path_or_url: str | Path, taxonomies: Iterable[str | Taxonomy] | None = None) -> "Project":
        return cls.open(path_or_url, create=True, taxonomies=taxonomies)

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self.db.url

    @property
    def schema_revision(self) -> str | None:
        return self.db.schema_revision()

    # --- importing items ----------------------------------------------------------------------------------
    def import_items(self, paths: Iterable[str | Path], fmt: str = "auto", progress: Progress | None = None,
                     chosen: Callable[[str, str], None] | None = None) -> ImportSummary:
        """Import item files all-or-nothing: every file goes in, or (on any problem) nothing does.

        `progress(done_bytes, total_bytes)` over all files; `chosen(file, format)` once per file."""
        paths = [Path(p) for p in paths]
        summary = ImportSummary(files=[str(p) for p in paths])

        def on_chosen(index: int, name: str) -> None:
            summary.formats.append(name)
            if chosen:
                chosen(str(paths[index]), name)

        with self.db.pinned() as conn, staging.fewer_collections():
            staging.create(conn)
            try:
                if staging.may_write_directly(self.db, paths):
                    labels = self.db.write(lambda c: self._import_directly(c, paths, fmt, progress, on_chosen,
                                                                           summary), pinned=conn)
                    if labels is not None:
                        summary.labels = labels
                        return summary
                problems = self._read_and_stage(conn, paths, fmt, progress, on_chosen, summary)
                if problems:
                    raise InputError(problems)
                summary.labels = self.db.write(lambda c: self._swap_in(c, paths), pinned=conn)
            finally:
                staging.drop(conn)
                self.taxonomies.forget()
        return summary

    def _import_directly(self, conn: Connection, paths: list[Path], fmt: str, progress: Progress | None,
                         chosen: Callable[[int, str], None], summary: ImportSummary) -> int | None:
        """The whole import in the one write transaction it would end with, each item written once: for a
        project that holds no item yet (see `staging.may_write_directly`). None, with nothing written, when
        the project got items before this transaction began; the import is then staged after all.

        Items, their units and their images go straight into the project's tables; labels are staged as usual,
        so they are handled by the same code and swapped in at the end. `write` may run this again after a busy
        start, so it begins from nothing each time."""
        first = ItemStore.next_position(conn)
        if first != 1:
            return None
        summary.formats.clear()
        summary.by_kind.clear()
        problems = self._read_and_stage(conn, paths, fmt, progress, chosen, summary, first)
        if problems:
            raise InputError(problems)
        return self._swap_in(conn, paths, items_written=True)

    def _read_and_stage(self, conn: Connection, paths: list[Path], fmt: str, progress: Progress | None,
                        chosen: Callable[[int, str], None], summary: ImportSummary,
                        first: int | None = None) -> list[Problem]:
        """Read every file and stage its records (with `first`, write them: see `_stage`), each batch in a
        transaction of its own unless the caller holds one; the problems found. SQLite stores one batch on a
        thread of its own while this one reads and validates the next."""
        problems: list[Problem] = []
        seq = 0
        written = staging.WrittenItems(first) if first is not None else None

        def store(batch: Batch) -> None:  # on the writer's thread, one batch after another
            nonlocal seq
            index, rows, file_problems = batch
            if file_problems is not None:
                problems.extend(file_problems)
            if written is not None:
                written.file_starts(index, seq)
            # a file's last rows are staged even when it is bad: their ids clashing with the project are listed
            with conn.begin() if written is None else nullcontext():
                seq = self._stage(conn, rows, seq, index, paths, summary, problems, written)

        with WriterThread(store, name="annotator-import") as writer:
            for batch in read_staged(paths, fmt, progress, chosen):
                writer.put(batch)
        return problems

    def _stage(self, conn: Connection, batch: list[StagedItem], seq: int, index: int, paths: list[Path],
               summary: ImportSummary, problems: list[Problem],
               written: staging.WrittenItems | None = None) -> int:
        """Put a batch of records in the staging tables (in the caller's transaction). With `written` (a direct
        import) the items and their units go into the project's own tables instead, at positions from
        `written.first`, and repeated ids are looked for there."""
        if not batch:
            return seq
        path = paths[index]
        ids = [r.id for r in batch]
        found = staging.seen(conn, ids) if written is None else written.seen(conn, ids)
        fresh: list[StagedItem] = []
        seen_here: set[str] = set()
        more_labels: list[StagedItem] = []
        for rec in batch:
            where = found.get(rec.id)
            if where is None and rec.id in seen_here:
                where = ("stage", index)  # repeated within this batch (the reader reports it too)
            if where is None:
                seen_here.add(rec.id)
                fresh.append(rec)
            elif rec.shared and where[0] == "stage":
                more_labels.append(rec)  # another labeler's record of an item this import brought in
            elif where[0] == "project":
                problems.append(Problem(str(path), rec.line, "id", f"item {rec.id!r} is already in the "
                                                                   "project"))
            else:
                earlier = "earlier in this file" if where[1] == index else f"in {paths[where[1]]}"
                problems.append(Problem(str(path), rec.line, "id", f"duplicate id {rec.id!r}: a record "
                                                                   f"{earlier} has it already"))
        # Rows are staged even after a problem (nothing is swapped in then): later repeats of their ids are
        # found like any other.
        blobs = {r.image[0]: r.image[1] for r in fresh if r.image}
        have = staging.known_blobs(conn, list(blobs)) if blobs else set()
        # a direct import's items name their images at once, so their bytes must be in the project first
        bulk_insert(conn, staging.STAGE_BLOB if written is None else BLOB,
                    [(s, d) for s, d in blobs.items() if s not in have], ("sha", "data"))
        if written is None:
            bulk_insert(conn, staging.STAGE_ITEM,
                        [(r.id, seq + k, index, r.line, r.kind, r.source, r.title, r.text, r.data,
                          r.image[0] if r.image else None) for k, r in enumerate(fresh)], staging.ITEM_COLUMNS)
            bulk_insert(conn, staging.STAGE_UNIT, [(r.id, *u) for r in fresh for u in r.units], UNIT_COLUMNS)
        else:
            bulk_insert(conn, ITEM, [(r.id, written.first + seq + k, r.kind, r.source, r.title, r.text, r.data,
                                      r.image[0] if r.image else None) for k, r in enumerate(fresh)],
                        staging.PROJECT_ITEM_COLUMNS)
            bulk_insert(conn, UNIT, [(r.id, *u) for r in fresh for u in r.units], UNIT_COLUMNS)
        stamp = now()
        given = [lab for r in fresh for lab in r.labels]
        if more_labels:
            given += self._labels_of_new_annotators(conn, given, more_labels)
        bulk_insert(conn, staging.STAGE_LABEL, [(*lab[:5], lab[5] or stamp) for lab in given],
                    ("item_id", "taxonomy", "annotator", "target", "label", "created_at"))
        for rec in fresh:
            summary.by_kind[rec.kind] = summary.by_kind.get(rec.kind, 0) + 1
        return seq + len(fresh)

    @staticmethod
    def _labels_of_new_annotators(conn: Connection, batch_labels: list[LabelRow], records: list[StagedItem]
                                  ) -> list[LabelRow]:
        """Labels of repeated shared records (one per labeler, as PRM800K gives them), keeping only the first
        record of each (item, taxonomy, annotator): a labeler who rated one solution twice keeps the first
        rating, as the done mark does."""
        taken = {lab[:3] for lab in batch_labels}
        taken |= staging.label_owners_of(conn, sorted({r.id for r in records}))
        out: list[LabelRow] = []
        for rec in records:
            keys = {lab[:3] for lab in rec.labels}
            if keys & taken:
                continue
            taken |= keys
            out.extend(rec.labels)
        return out

    def _swap_in(self, conn: Connection, paths: list[Path], items_written: bool = False) -> int:
        """The import's one write transaction: staged rows into the project's tables. Labels a format carries
        (PRM800K ratings, ProcessBench marks) are stored, and the item marked done for that annotator, since
        the source labelled every step it rated. `items_written`: a direct import wrote its items already."""
        clash = [] if items_written else staging.clashes(conn)
        if clash:  # another import brought these ids while this one was reading
            raise InputError([Problem(str(paths[f]), line, "id", f"item {i!r} is already in the project")
                              for f, line, i in clash])
        taxonomies, annotators = staging.label_owners(conn)
        for tax_id in taxonomies:
            self.taxonomies.ensure_in(conn, tax_id)
        for name in annotators:
            ensure_annotator(conn, name)
        return staging.swap_in(conn, None if items_written else ItemStore.next_position(conn), now())

    # --- what the project holds -----------------------------------------------------------------------------
    def annotators(self, kind: str | None = "human") -> list[str]:
        q = select(ANNOTATOR.c.name).order_by(ANNOTATOR.c.name)
        if kind:
            q = q.where(ANNOTATOR.c.kind == kind)
        with self.db.read() as conn:
            return list(conn.execute(q).scalars())

    def info(self) -> dict:
        """The `annotator info --json` object (DESIGN section 7)."""
        with self.db.read() as conn:
            cursor = conn.connection.cursor()
            try:
                return read_info(cursor)
            finally:
                cursor.close()

    # --- the tables statistics read ---------------------------------------------------------------------
    def label_data(self, taxonomy: str) -> ld.LabelData:
        """Everything agreement, F1 and calibration need for one taxonomy, read in a few queries."""
        import pandas as pd

        from ..stats import data as ld

        tax = self.taxonomies.get(taxonomy)
        with self.db.read() as conn:
            done = pd.DataFrame(conn.execute(
                select(COMPLETION.c.item_id, COMPLETION.c.annotator).where(COMPLETION.c.taxonomy == taxonomy)
            ).all(), columns=ld.DONE_COLUMNS)
            scored = pd.DataFrame(conn.execute(
                select(SCORED.c.item_id, SCORED.c.metric).where(SCORED.c.taxonomy == taxonomy)
            ).all(), columns=ld.SCORED_COLUMNS)
            relevant = select(COMPLETION.c.item_id).where(COMPLETION.c.taxonomy == taxonomy).union(
                select(SCORED.c.item_id).where(SCORED.c.taxonomy == taxonomy)).subquery()
            unit_rows = conn.execute(select(UNIT.c.item_id, UNIT.c.target, UNIT.c.kind)
                                     .where(UNIT.c.item_id.in_(select(relevant.c.item_id)))
                                     .order_by(UNIT.c.item_id, UNIT.c.position)).all()
            item_ids = sorted(set(done["item_id"]) | set(scored["item_id"]))
            units = pd.concat([
                pd.DataFrame({"item_id": item_ids, "target": "item", "kind": "item"}),
                pd.DataFrame(unit_rows, columns=ld.UNIT_COLUMNS),
            ], ignore_index=True)
            raw = pd.DataFrame(conn.execute(
                select(LABEL.c.item_id, LABEL.c.annotator, LABEL.c.target, LABEL.c.label)
                .where(LABEL.c.taxonomy == taxonomy)).all(), columns=ld.LABEL_COLUMNS)
            gold_rows = conn.execute(select(GOLD.c.item_id, GOLD.c.target, GOLD.c.labels)
                                     .where(GOLD.c.taxonomy == taxonomy)).all()
            preds = pd.DataFrame(conn.execute(
                select(PREDICTION.c.item_id, PREDICTION.c.metric, PREDICTION.c.target, PREDICTION.c.label,
                       PREDICTION.c.score).where(PREDICTION.c.taxonomy == taxonomy)).all(),
                columns=ld.PREDICTION_COLUMNS)
        raw = raw.merge(done, on=["item_id", "annotator"])  # only finished items count
        is_span = raw["target"].str.startswith("span:")
        spans, field_lengths, mapped = self._spans(tax, raw[is_span])
        labels = pd.concat([raw[~is_span], mapped], ignore_index=True).drop_duplicates(ignore_index=True)
        gold = pd.DataFrame([(i, t, lab) for i, t, labs in gold_rows for lab in json.loads(labs)],
                            columns=ld.GOLD_COLUMNS)
        gold_units = pd.DataFrame([(i, t) for i, t, _ in gold_rows], columns=ld.GOLD_UNIT_COLUMNS)
        return ld.LabelData(taxonomy=tax, units=units, done=done, labels=labels, spans=spans,
                            field_lengths=field_lengths, gold=gold, gold_units=gold_units,
                            predictions=preds, scored=scored)

    def _spans(self, tax: Taxonomy, span_rows: pd.DataFrame):
        import pandas as pd

        from ..stats import data as ld
        from ..targets import parse_target

        spans, lengths, mapped = [], {}, []
        items: dict[str, Item] = {}
        for row in span_rows.itertuples(index=False):
            tgt = parse_target(row.target)
            item = items.get(row.item_id) or items.setdefault(row.item_id, self.items.get(row.item_id))
            text = item.field_text(tgt.ref)
            if text is not None:
                lengths[(row.item_id, tgt.ref)] = len(text)
            spans.append((row.item_id, row.annotator, tgt.ref, tgt.start, tgt.end, row.label))
            try:
                label_target = tax.label(row.label).target
            except NotFound:
                continue
            steps = [(s.id, s.text) for s in item.steps]
            for unit in ld.map_span_to_units(steps, tgt.ref, tgt.start, tgt.end, label_target):
                mapped.append((row.item_id, row.annotator, unit, row.label))
        return (pd.DataFrame(spans, columns=ld.SPAN_COLUMNS), lengths,
                pd.DataFrame(mapped, columns=ld.LABEL_COLUMNS))
