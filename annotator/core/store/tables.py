"""The project's tables (SQLModel). Only the store modules touch them; everything else sees plain data objects.

Keys are the project's own words: an item's `id`, a taxonomy's `id`, an annotator's name. That keeps CSV
import and export, merging laptops' projects and reading the file by hand simple, at the price of slightly
larger indexes. Schema changes go through Alembic migrations in `annotator/core/migrations`.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class ItemRow(SQLModel, table=True):
    __tablename__ = "item"

    id: str = Field(primary_key=True)
    position: int = Field(index=True, unique=True)  # import order: the order of the item list
    kind: str = Field(index=True)
    source: str = Field(default="", index=True)
    title: str = Field(default="")  # one line for lists
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # lowercased, for search
    data: str = Field(sa_column=Column(Text, nullable=False))  # the canonical Item as JSON
    image_sha: str | None = Field(default=None, foreign_key="blob.sha")


class UnitRow(SQLModel, table=True):
    """A criterion or step of an item, kept apart so statistics and lists need not parse item JSON."""

    __tablename__ = "unit"
    __table_args__ = (Index("ix_unit_item", "item_id", "position"),)

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    target: str = Field(primary_key=True)  # criterion:<cid> or step:<sid>
    kind: str  # criterion | step
    position: int


class BlobRow(SQLModel, table=True):
    """Image bytes, stored inside the project so it moves between laptops whole."""

    __tablename__ = "blob"

    sha: str = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class TaxonomyRow(SQLModel, table=True):
    __tablename__ = "taxonomy"

    id: str = Field(primary_key=True)
    position: int
    definition: str = Field(sa_column=Column(Text, nullable=False))  # the taxonomy as YAML


class AnnotatorRow(SQLModel, table=True):
    __tablename__ = "annotator"

    name: str = Field(primary_key=True)
    kind: str = Field(default="human")  # human | metric
    created_at: str = Field(default="")


class LabelRow(SQLModel, table=True):
    __tablename__ = "label"
    __table_args__ = (
        UniqueConstraint("item_id", "taxonomy", "annotator", "target", "label", name="uq_label"),
        Index("ix_label_taxonomy_annotator", "taxonomy", "annotator"),
        # the long CSV's order, so an export reads labels without sorting them or looking their rows up
        # (migration 0004 makes it on SQLite alone: PostgreSQL exports faster with hash joins and a sort)
        Index("ix_label_file_order", "taxonomy", "item_id", "annotator", "target", "label", "created_at"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="item.id")
    taxonomy: str = Field(foreign_key="taxonomy.id")
    annotator: str = Field(foreign_key="annotator.name")
    target: str
    label: str
    created_at: str


class NoteRow(SQLModel, table=True):
    """An annotator's note on a target (the item or a unit) in a taxonomy."""

    __tablename__ = "note"

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    taxonomy: str = Field(primary_key=True, foreign_key="taxonomy.id")
    annotator: str = Field(primary_key=True, foreign_key="annotator.name")
    target: str = Field(primary_key=True)
    text: str
    updated_at: str


class CompletionRow(SQLModel, table=True):
    __tablename__ = "completion"
    # item_id last: a probe for one piece of work finds one row whichever index the planner takes (0004)
    __table_args__ = (Index("ix_completion_annotator", "annotator", "taxonomy", "item_id"),)

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    taxonomy: str = Field(primary_key=True, foreign_key="taxonomy.id")
    annotator: str = Field(primary_key=True, foreign_key="annotator.name")
    done_at: str


class GoldRow(SQLModel, table=True):
    """An adjudicated unit: `labels` is a JSON list of the labels on it (empty: none applies)."""

    __tablename__ = "gold"

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    taxonomy: str = Field(primary_key=True, foreign_key="taxonomy.id")
    target: str = Field(primary_key=True)
    labels: str
    reviewer: str = ""
    decided_at: str


class ScoredRow(SQLModel, table=True):
    """An item that a metric scored: units of it without a prediction row count as score 0."""

    __tablename__ = "scored"

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    taxonomy: str = Field(primary_key=True, foreign_key="taxonomy.id")
    metric: str = Field(primary_key=True)


class PredictionRow(SQLModel, table=True):
    __tablename__ = "prediction"

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    taxonomy: str = Field(primary_key=True, foreign_key="taxonomy.id")
    metric: str = Field(primary_key=True)
    target: str = Field(primary_key=True)
    label: str = Field(primary_key=True)
    score: float


class JudgeCacheRow(SQLModel, table=True):
    """LLM judge responses by request hash, so a rerun or a resumed run costs nothing."""

    __tablename__ = "judge_cache"

    key: str = Field(primary_key=True)
    response: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str


class AssignmentRow(SQLModel, table=True):
    """The lead's plan (`annotator assign`): which annotator was given which item; `shared` marks the
    calibration set everyone labels. Progress against it is read from the completion table after merges."""

    __tablename__ = "assignment"

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    annotator: str = Field(primary_key=True, foreign_key="annotator.name")
    shared: bool = Field(default=False)


class SuggestionShownRow(SQLModel, table=True):
    """An annotator worked on an item with a metric's suggestions on screen (the first metric shown counts).
    Agreement with that metric on such items is compared with the rest, to see whether suggestions anchor."""

    __tablename__ = "suggestion_shown"

    item_id: str = Field(primary_key=True, foreign_key="item.id")
    taxonomy: str = Field(primary_key=True, foreign_key="taxonomy.id")
    annotator: str = Field(primary_key=True, foreign_key="annotator.name")
    metric: str
    shown_at: str


ITEM = ItemRow.__table__
UNIT = UnitRow.__table__
BLOB = BlobRow.__table__
TAXONOMY = TaxonomyRow.__table__
ANNOTATOR = AnnotatorRow.__table__
LABEL = LabelRow.__table__
NOTE = NoteRow.__table__
COMPLETION = CompletionRow.__table__
GOLD = GoldRow.__table__
SCORED = ScoredRow.__table__
PREDICTION = PredictionRow.__table__
JUDGE_CACHE = JudgeCacheRow.__table__
ASSIGNMENT = AssignmentRow.__table__
SUGGESTION_SHOWN = SuggestionShownRow.__table__
