"""Merging whole projects from other laptops into this one.

Items, taxonomies and annotators missing here are copied; labels and completions are united; a note or a gold
decision present in both keeps the newer one; a metric's predictions are copied for items it has not scored
here. Everything another file brings is checked as a labels CSV is (the store's placement check: taxonomy,
label, target, one answer per single-choice unit, here and in the file), and an item id present in both with
different content is a conflict: any problem in any file, and nothing is merged.

The other files are only read: an SQLite file is opened read-only, never migrated and never switched to WAL,
so a teammate's file handed over on a stick is left exactly as it came. A file of another schema version is
refused with a line that says which. The files are read and checked before this project's write lock is
taken, and the write itself is a few bulk inserts, so a teammate labelling meanwhile is not kept waiting.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pydantic import ValidationError
from sqlalchemy import Connection, and_, create_engine, delete, select
from sqlalchemy.exc import DBAPIError

from .errors import AnnotatorError, InputError, Problem
from .model import Item
from .store.database import Database, bulk_insert, is_sqlite, to_url
from .store.items import ItemStore, item_row, unit_rows
from .store.label_batch import LabelBatch, LabelRowIn
from .store.labels import now
from .store.placement import CHUNK, ItemFacts, Placement
from .store.tables import (ANNOTATOR, BLOB, COMPLETION, GOLD, ITEM, LABEL, NOTE, PREDICTION, SCORED,
                           SUGGESTION_SHOWN, TAXONOMY, UNIT)
from .taxonomy import Taxonomy, builtin_taxonomies, parse_taxonomy

TABLES = (TAXONOMY, ANNOTATOR, ITEM, LABEL, NOTE, COMPLETION, GOLD, SCORED, PREDICTION, SUGGESTION_SHOWN)


@dataclass
class MergeSummary:
    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def line(self) -> str:
        order = ["items", "taxonomies", "annotators", "labels", "done", "notes", "gold", "predictions"]
        return "merged " + ", ".join(f"{self.counts.get(k, 0)} {k}" for k in order)


# --- reading the other files, read-only ------------------------------------------------------------------
def _read_only_engine(other: str, url: str):
    """An engine that cannot write to the other project: SQLite opened with mode=ro (no pragmas, so no switch
    to WAL), a server database in read-only transactions."""
    if is_sqlite(url):
        path = Path(url.removeprefix("sqlite:///"))
        uri = f"{path.as_uri()}?mode=ro"
        return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    engine = Database(url).engine
    return engine.execution_options(postgresql_readonly=True) if engine.dialect.name == "postgresql" else engine


def _read_other(other: str, head: str, known: set[str]) -> dict[str, list]:
    """Every table the merge needs from another project, or InputError saying plainly why not."""
    url = to_url(other)
    if is_sqlite(url) and not Path(url.removeprefix("sqlite:///")).is_file():
        raise InputError(Problem(other, 0, "", "no such project file"))
    engine = _read_only_engine(other, url)
    try:
        with engine.connect() as conn:
            try:
                revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            except DBAPIError:
                revision = None
            if revision is None:
                raise InputError(Problem(other, 0, "", "not an annotator project"))
            if revision != head:
                newer = revision not in known
                raise InputError(Problem(other, 0, "", (
                    f"made by {'a newer' if newer else 'an older'} version of annotator (schema {revision}, "
                    f"this one reads {head}): "
                    + ("update annotator to merge it" if newer else
                       "open it once with this version (annotator info FILE) to bring it up to date, then merge"))))
            return {t.name: conn.execute(select(t)).all() for t in TABLES}
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise InputError(Problem(other, 0, "", f"cannot be read: {reason}")) from None
    finally:
        engine.dispose()


def _read_images(plan: "_Plan") -> dict[str, bytes | None]:
    """The image bytes of the items the merge brings, read from the file each came in."""
    by_file: dict[str, list[str]] = {}
    for sha, (name, _) in plan.images.items():
        by_file.setdefault(name, []).append(sha)
    found: dict[str, bytes | None] = dict.fromkeys(plan.images)
    for name, shas in by_file.items():
        engine = _read_only_engine(name, to_url(name))
        try:
            with engine.connect() as conn:
                for i in range(0, len(shas), CHUNK):
                    found.update({s: d for s, d in conn.execute(
                        select(BLOB.c.sha, BLOB.c.data).where(BLOB.c.sha.in_(shas[i:i + CHUNK])))})
        finally:
            engine.dispose()
    return found


# --- the plan: what the files bring, checked ---------------------------------------------------------------
@dataclass
class _Plan:
    summary: MergeSummary
    problems: list[Problem] = field(default_factory=list)
    taxonomies: dict[str, Taxonomy] = field(default_factory=dict)  # new here, in the order they came
    annotators: dict[str, str] = field(default_factory=dict)  # name -> kind, of every file
    items: dict[str, tuple[str, Item, dict]] = field(default_factory=dict)  # new id -> (file, item, stored row)
    images: dict[str, tuple[str, str]] = field(default_factory=dict)  # sha -> (file, item id)
    batch: LabelBatch = field(default_factory=LabelBatch)
    notes: dict[tuple, dict] = field(default_factory=dict)  # key -> row, the newest among the files
    gold: dict[tuple, dict] = field(default_factory=dict)
    scored: dict[tuple, str] = field(default_factory=dict)  # (item, taxonomy, metric) -> file
    predictions: list[dict] = field(default_factory=list)
    shown: dict[tuple, dict] = field(default_factory=dict)  # (item, taxonomy, annotator) -> the earliest record


def _plan(project, conn: Connection, sources: list[tuple[str, dict[str, list]]]) -> _Plan:
    plan = _Plan(MergeSummary(files=[name for name, _ in sources]))
    here_taxonomies = {t.id: t for t in project.taxonomies.list()}

    def taxonomy(tax_id: str) -> Taxonomy | None:
        return here_taxonomies.get(tax_id) or plan.taxonomies.get(tax_id) or builtin_taxonomies().get(tax_id)

    for name, tables in sources:
        for r in sorted(tables["taxonomy"], key=lambda r: r.position):
            if r.id in here_taxonomies or r.id in plan.taxonomies:
                continue
            try:
                plan.taxonomies[r.id] = parse_taxonomy(r.definition, f"{name}: taxonomy {r.id}")
            except InputError as exc:
                plan.problems += exc.problems
        for r in tables["annotator"]:
            plan.annotators.setdefault(r.name, r.kind if r.kind in ("human", "metric") else "human")
        _plan_items(conn, name, tables["item"], plan)
    facts = {i: ItemFacts(item.kind, frozenset(u["target"] for u in unit_rows(item)))
             for i, (_, item, _) in plan.items.items()}
    placement = Placement(conn, taxonomy, extra_items=facts)
    for name, tables in sources:
        _plan_labels(name, tables, placement, plan)
        _plan_rest(name, tables, placement, plan)
    return plan


def _plan_items(conn: Connection, name: str, rows: list, plan: _Plan) -> None:
    ids = [r.id for r in rows]
    mine: dict[str, str] = {}
    for i in range(0, len(ids), CHUNK):
        rows_here = conn.execute(select(ITEM.c.id, ITEM.c.data).where(ITEM.c.id.in_(ids[i:i + CHUNK])))
        mine.update({k: v for k, v in rows_here})
    for r in sorted(rows, key=lambda r: r.position):
        try:
            item = Item.model_validate_json(r.data)
        except ValidationError as exc:
            plan.problems.append(Problem(name, 0, "item", f"item {r.id!r} is not readable: {exc.errors()[0]['msg']}"))
            continue
        if item.id != r.id or item.kind != r.kind:
            plan.problems.append(Problem(name, 0, "item", f"item {r.id!r}: its row and its data disagree"))
            continue
        earlier = mine.get(r.id)
        if earlier is None and r.id in plan.items:
            earlier = plan.items[r.id][1].model_dump_json()
        if earlier is not None:
            if earlier != r.data and Item.model_validate_json(earlier) != item:
                where = "this project's" if r.id in mine else f"the one in {plan.items[r.id][0]}"
                plan.problems.append(Problem(name, 0, "item", f"item {r.id!r} differs from {where}"))
            continue
        row = item_row(item, 0, r.image_sha)
        row.update(title=r.title, text=r.text, data=r.data)  # as the other file stored them
        plan.items[r.id] = (name, item, row)
        if r.image_sha:
            plan.images.setdefault(r.image_sha, (name, r.id))


def _plan_labels(name: str, tables: dict[str, list], placement: Placement, plan: _Plan) -> None:
    kinds = {r.name: r.kind for r in tables["annotator"]}
    rows = [LabelRowIn(file=name, line=0, item_id=r.item_id, taxonomy=r.taxonomy, annotator=r.annotator,
                       target=r.target or "item", label=r.label, created_at=r.created_at, done=False,
                       row=f"label {r.label!r} of {r.annotator!r} on {r.item_id} {r.target}")
            for r in sorted(tables["label"], key=lambda r: r.pk)]
    rows += [LabelRowIn(file=name, line=0, item_id=r.item_id, taxonomy=r.taxonomy, annotator=r.annotator,
                        done_at=r.done_at, row=f"{r.item_id} done by {r.annotator!r}")
             for r in tables["completion"]]
    for row in rows:
        plan.annotators.setdefault(row.annotator, kinds.get(row.annotator, "human"))
    plan.batch.add_all(placement, rows)


def _plan_rest(name: str, tables: dict[str, list], placement: Placement, plan: _Plan) -> None:
    """Notes, gold and predictions: on items and taxonomies that exist, with labels the taxonomy has."""

    def bad(what: str, item_id: str, tax_id: str, target: str = "item", label: str = "") -> bool:
        problem = placement.problem(item_id, tax_id, "-", target, label, single=False)
        if problem is not None:
            plan.problems.append(Problem(name, 0, problem[0], f"{what} on {item_id} {target}: {problem[1]}"))
        return problem is not None

    for r in tables["note"]:
        # a note may sit anywhere the app lets one be written: it needs only its item and taxonomy
        if placement.kind(r.item_id) is None or placement.taxonomy(r.taxonomy) is None:
            plan.problems.append(Problem(name, 0, "note", f"a note on {r.item_id} in {r.taxonomy}: no such item "
                                                          "or taxonomy in either project"))
        else:
            plan.annotators.setdefault(r.annotator, "human")
            key = (r.item_id, r.taxonomy, r.annotator, r.target)
            if key not in plan.notes or (r.updated_at or "") > (plan.notes[key]["updated_at"] or ""):
                plan.notes[key] = r._asdict()
    for r in tables["gold"]:
        try:
            labels = json.loads(r.labels)
        except ValueError:
            labels = None
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            plan.problems.append(Problem(name, 0, "gold", f"gold on {r.item_id} {r.target} is not a list of labels"))
            continue
        if any(bad("gold", r.item_id, r.taxonomy, r.target, x) for x in labels or [""]):
            continue
        key = (r.item_id, r.taxonomy, r.target)
        if key not in plan.gold or (r.decided_at or "") > (plan.gold[key]["decided_at"] or ""):
            plan.gold[key] = r._asdict()
    for r in tables["suggestion_shown"]:
        # where an annotator saw a metric's suggestions (anchoring is measured from these): the first sight counts
        if placement.kind(r.item_id) is None or placement.taxonomy(r.taxonomy) is None:
            plan.problems.append(Problem(name, 0, "suggestions", f"suggestions seen on {r.item_id} in {r.taxonomy}: "
                                                                 "no such item or taxonomy in either project"))
            continue
        plan.annotators.setdefault(r.annotator, "human")
        key = (r.item_id, r.taxonomy, r.annotator)
        if key not in plan.shown or (r.shown_at or "") < (plan.shown[key]["shown_at"] or ""):
            plan.shown[key] = r._asdict()
    scored = {(r.item_id, r.taxonomy, r.metric) for r in tables["scored"]}
    for item_id, tax_id, metric in sorted(scored):
        if not bad("a metric's score", item_id, tax_id):
            plan.scored.setdefault((item_id, tax_id, metric), name)
            plan.annotators.setdefault(metric, "metric")
    for r in tables["prediction"]:
        if (r.item_id, r.taxonomy, r.metric) not in scored:
            plan.problems.append(Problem(name, 0, "prediction", f"a prediction of {r.metric!r} on {r.item_id} for an "
                                                                "item the metric did not score"))
        elif not 0.0 <= float(r.score) <= 1.0:
            plan.problems.append(Problem(name, 0, "score", f"a prediction of {r.metric!r} on {r.item_id} "
                                                           f"scores {r.score}, outside [0, 1]"))
        elif not bad("a prediction", r.item_id, r.taxonomy, r.target, r.label) and \
                plan.scored.get((r.item_id, r.taxonomy, r.metric)) == name:
            plan.predictions.append(r._asdict())


# --- writing -----------------------------------------------------------------------------------------------
def merge_projects(project, others: Iterable[str | Path]) -> MergeSummary:
    """Merge other project files (or URLs) into `project`, all-or-nothing."""
    others = [str(o) for o in others]
    head = project.db.head_revision()
    known = _known_revisions(project)
    sources = []
    for other in others:
        if to_url(other) == project.url:
            raise AnnotatorError(f"{other} is the project itself")
        sources.append((other, _read_other(other, head, known)))
    with project.db.read() as conn:
        plan = _plan(project, conn, sources)
    problems = plan.problems + plan.batch.problems
    if problems:
        raise InputError(problems)
    images = _read_images(plan)

    def work(conn: Connection) -> MergeSummary:
        summary = MergeSummary(files=others)
        clash = ItemStore.existing_ids(conn, plan.items)  # imported by someone else since the plan was made
        if clash:
            raise InputError([Problem(plan.items[i][0], 0, "item", f"item {i!r} was added to this project while "
                                                                   "merging; merge again") for i in sorted(clash)])
        for tax in plan.taxonomies.values():
            project.taxonomies.add_in(conn, tax)
        used = plan.batch.taxonomies | {k[1] for k in plan.notes} | {k[1] for k in plan.gold} | \
            {k[1] for k in plan.scored}
        for tax_id in sorted(used - set(plan.taxonomies)):
            project.taxonomies.ensure_in(conn, tax_id)
        summary.add("taxonomies", len(plan.taxonomies))
        have = set(conn.execute(select(ANNOTATOR.c.name)).scalars())
        people = [{"name": n, "kind": k, "created_at": now()} for n, k in sorted(plan.annotators.items())
                  if n not in have]
        bulk_insert(conn, ANNOTATOR, people)
        summary.add("annotators", len(people))
        have_blobs: set[str] = set()
        shas = list(images)
        for i in range(0, len(shas), CHUNK):
            have_blobs.update(conn.execute(select(BLOB.c.sha).where(BLOB.c.sha.in_(shas[i:i + CHUNK]))).scalars())
        bulk_insert(conn, BLOB, [{"sha": s, "data": d} for s, d in images.items()
                                 if s not in have_blobs and d is not None])
        position = ItemStore.next_position(conn)
        rows = []
        for i, (_, item, row) in enumerate(plan.items.values()):
            rows.append(dict(row, position=position + i,
                             image_sha=row["image_sha"] if images.get(row["image_sha"]) is not None else None))
        bulk_insert(conn, ITEM, rows)
        bulk_insert(conn, UNIT, [u for _, item, _ in plan.items.values() for u in unit_rows(item)])
        summary.add("items", len(rows))
        def lookup(tax_id: str) -> Taxonomy | None:
            return plan.taxonomies.get(tax_id) or project.taxonomies.lookup(tax_id)

        plan.batch.recheck(Placement(conn, lookup))
        counts = plan.batch.write(conn)
        summary.add("labels", counts.labels_added)
        summary.add("done", counts.done_added)
        summary.add("notes", _newer_wins(conn, NOTE, plan.notes, ("item_id", "taxonomy", "annotator", "target"),
                                         "updated_at"))
        summary.add("gold", _newer_wins(conn, GOLD, plan.gold, ("item_id", "taxonomy", "target"), "decided_at"))
        summary.add("predictions", _predictions(conn, plan))
        _suggestions_shown(conn, plan)
        return summary

    result = project.db.write(work)
    project.taxonomies.forget()
    return result


def _suggestions_shown(conn: Connection, plan: _Plan) -> None:
    """Records of suggestions seen that this project lacks (a record here is older or the same sight)."""
    keys = list(plan.shown)
    have: set[tuple] = set()
    t = SUGGESTION_SHOWN.c
    for i in range(0, len(keys), CHUNK):
        items = sorted({k[0] for k in keys[i:i + CHUNK]})
        have |= {tuple(r) for r in conn.execute(select(t.item_id, t.taxonomy, t.annotator).where(t.item_id.in_(items)))}
    bulk_insert(conn, SUGGESTION_SHOWN, [row for key, row in plan.shown.items() if key not in have])


def _known_revisions(project) -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(project.db.alembic_config()).walk_revisions()}


def _newer_wins(conn: Connection, table, rows: dict[tuple, dict], key: tuple[str, ...], stamp: str) -> int:
    if not rows:
        return 0
    mine: dict[tuple, str] = {}
    items = sorted({k[0] for k in rows})
    for i in range(0, len(items), CHUNK):
        for r in conn.execute(select(*(table.c[k] for k in key), table.c[stamp])
                              .where(table.c.item_id.in_(items[i:i + CHUNK]))):
            mine[tuple(r[:-1])] = r[-1] or ""
    take = [r for k, r in rows.items() if k not in mine or (r[stamp] or "") > mine[k]]
    for r in take:
        if tuple(r[k] for k in key) in mine:
            conn.execute(delete(table).where(and_(*(table.c[k] == r[k] for k in key))))
    bulk_insert(conn, table, take)
    return len(take)


def _predictions(conn: Connection, plan: _Plan) -> int:
    """A metric's answers for items it has not scored here come along with the scoring."""
    if not plan.scored:
        return 0
    here = set(conn.execute(select(SCORED.c.item_id, SCORED.c.taxonomy, SCORED.c.metric)).all())
    take = sorted(set(plan.scored) - here)
    bulk_insert(conn, SCORED, [{"item_id": i, "taxonomy": t, "metric": m} for i, t, m in take])
    chosen = set(take)
    seen: set[tuple] = set()
    rows = []
    for r in plan.predictions:
        key = (r["item_id"], r["taxonomy"], r["metric"], r["target"], r["label"])
        if key[:3] in chosen and key not in seen:
            seen.add(key)
            rows.append(r)
    bulk_insert(conn, PREDICTION, rows)
    return len(rows)
