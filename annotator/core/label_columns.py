"""The labels CSV's columns, in the order every labels CSV has them (DESIGN sections 4 and 10.2).

A module of its own so that the long export can name them without loading the importer's pandas and pydantic:
an export starts in a fresh process, and those two are most of its start-up time.
"""

from __future__ import annotations

LABEL_CSV_COLUMNS = ["item_id", "item_kind", "taxonomy", "annotator", "target", "label", "note", "created_at",
                     "done"]
