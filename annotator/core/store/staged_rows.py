"""A record turned into what an import stages: plain strings, numbers and bytes, built once per record.

Everything the store derives from a record (its stored JSON, its search text, its title, its unit targets, its
image's digest and bytes, its labels as rows) is made here, in one place and once, so the per-record Python
between the reader and the database's executemany stays small and the staging code handles plain tuples.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

from ..model import Item, Record

LabelRow = tuple[str, str, str, str, str, str | None]  # item, taxonomy, annotator, target, label, created_at


class StagedItem(NamedTuple):
    """One record ready for the staging tables; `units` are (target, kind, position)."""

    id: str
    line: int
    shared: bool
    kind: str
    source: str
    title: str
    text: str
    data: str
    image: tuple[str, bytes] | None
    units: tuple[tuple[str, str, int], ...]
    labels: tuple[LabelRow, ...]


def search_text(item: Item) -> str:
    """What the search box looks through: the words a person sees, lowercased (not the JSON's field names)."""
    parts = [item.id, item.source, item.prompt, item.caption, item.problem, item.response, item.answer,
             item.reference_answer, *[c.text for c in item.criteria], *[s.text for s in item.steps]]
    return "\n".join(filter(None, parts)).lower()


def stored_json(item: Item) -> str:
    """The item as the project keeps it: its image by file name only (the bytes go in the blob table)."""
    stored = item.model_copy(update={"image": Path(item.image).name}) if item.image else item
    return stored.model_dump_json(exclude_defaults=True)


def image_blob(path: str) -> tuple[str, bytes]:
    data = Path(path).read_bytes()
    return hashlib.sha256(data).hexdigest(), data


def unit_targets(item: Item) -> tuple[tuple[str, str, int], ...]:
    """(target, kind, position) of each criterion or step."""
    kind = "step" if item.kind == "trace" else "criterion"
    return tuple((f"{kind}:{u.id}", kind, i) for i, u in enumerate(item.units))


def staged_item(record: Record) -> StagedItem:
    item = record.item
    labels = tuple((lab.item_id, lab.taxonomy, lab.annotator, lab.target, lab.label,
                    lab.created_at.isoformat(timespec="seconds") if lab.created_at else None)
                   for lab in record.labels)
    return StagedItem(item.id, record.line, record.shared, item.kind, item.source, item.title, search_text(item),
                      stored_json(item), image_blob(item.image) if item.image else None, unit_targets(item),
                      labels)
