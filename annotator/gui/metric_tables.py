"""The metric view's tables: which columns each shows and how its rows (and its one-line summary) come out of
the core's reports.

The F1 report keys its figures by label and keeps the humans' ceiling and the threshold sweep apart; the
tables want one flat row per label, so the rows are built here and the columns only read keys. Reports speak
in label ids; people read the taxonomy's names, so `LabelNamedModel` shows a name where the row holds an id and
leaves the rows themselves as the report wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from ..core.taxonomy import Taxonomy
from .report_models import SORT_ROLE, Column, RecordTableModel, format_number
from .text import tooltip_text

GROUP_TITLES = {"human_human": "human–human", "human_metric": "human–metric", "metric_metric": "metric–metric"}

FIGURE_COLUMNS = [
    Column("label", "label", "text"),
    Column("precision", "precision"),
    Column("recall", "recall"),
    Column("f1", "F1"),
    Column("ceiling_f1", "human F1", tip="The human ceiling: each annotator against the majority of the others on "
           "the units they finished, tp, fp and fn added up over the annotators (one with two items weighs two "
           "items' worth).", why="no annotator can be scored on this label"),
    Column("support", "support", "count"),
    Column("tp", "tp", "count"),
    Column("fp", "fp", "count"),
    Column("fn", "fn", "count"),
    Column("best_threshold", "best threshold", digits=2,
           why="only 0/1 scores, or single choice: no threshold to tune"),
]
ERROR_COLUMNS = [
    Column("item_id", "item", "text"),
    Column("target", "target", "text"),
    Column("label", "label", "text"),
    Column("score", "score", digits=2, why="the metric gave no score"),
]
CALIBRATION_COLUMNS = [
    Column("label", "label", "text"),
    Column("units", "units", "count"),
    Column("ece", "ECE"),
    Column("brier", "Brier"),
]
PAIR_COLUMNS = [
    Column("a", "a", "text"),
    Column("b", "b", "text"),
    Column("group", "pair", "text", value=lambda r: GROUP_TITLES.get(r["group"], r["group"])),
    Column("kappa", "Cohen's kappa", why="undefined: too few shared units or no variation"),
    Column("units", "units", "count"),
]


def label_name_map(taxonomy: Taxonomy | None) -> dict[str, str]:
    """Each label id of the taxonomy with the name the annotators know it by (empty without a taxonomy)."""
    return {} if taxonomy is None else {lab.id: lab.name for lab in taxonomy.labels}


def shown_label(names: Mapping[str, str], label: str) -> str:
    """A label's name, or its id when the taxonomy does not know it (a metric may score a label since removed)."""
    return names.get(label) or label


class LabelNamedModel(RecordTableModel):
    """A report table whose `label` column shows each label's name, with the id in its tooltip.

    Only what is shown changes: the row dicts and `VALUE_ROLE` keep the id, so opening an item or comparing a
    row with the report reads what the report holds."""

    LABEL_KEY = "label"

    def __init__(self, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]] = (), parent=None):
        super().__init__(columns, rows, parent)
        self.names: dict[str, str] = {}

    def set_rows(self, rows: Iterable[Mapping[str, Any]], columns: Sequence[Column] | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        """Replace the rows; `names` (label id to name) replaces the names when given, in the same reset."""
        if names is not None:
            self.names = dict(names)
        super().set_rows(rows, columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if self.holds(index) and self.columns[index.column()].key == self.LABEL_KEY:
            label = self.row(index.row()).get(self.LABEL_KEY)
            if label is not None:
                if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                    return shown_label(self.names, str(label))
                if role == Qt.ItemDataRole.ToolTipRole:
                    return tooltip_text(f"label id: {label}")
        return super().data(index, role)


def figure_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-label rows of the figures table: the report's figures, the humans' F1 and the best threshold."""
    ceiling = (report.get("human_ceiling") or {}).get("labels") or {}
    sweep = report.get("sweep") or {}
    return [{"label": lab, **fig, "ceiling_f1": (ceiling.get(lab) or {}).get("f1"),
             "best_threshold": (sweep.get(lab) or {}).get("best_threshold")}
            for lab, fig in report["labels"].items()]


def calibration_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per label the metric scored with graded scores; one reason serves both of its figures."""
    rows = []
    for lab, fig in report["labels"].items():
        if "ece" not in fig:
            continue
        reason = fig.get("calibration_reason")
        rows.append({"label": lab, "units": sum(b[2] for b in fig.get("reliability") or []), "ece": fig.get("ece"),
                     "brier": fig.get("brier"), "ece_reason": reason, "brier_reason": reason,
                     "reliability": fig.get("reliability") or []})
    return rows


def f1_summary(report: dict[str, Any]) -> str:
    """The report's overall figures in one line, each beside the humans' own (the ceiling a metric aims at)."""
    ceiling = report.get("human_ceiling") or {}

    def beside(key: str, title: str) -> str:
        return f"{title} {format_number(report.get(key))} (humans {format_number(ceiling.get(key))})"

    parts = [beside("micro_f1", "micro F1"), beside("macro_f1", "macro F1")]
    if "accuracy" in report:
        parts.append(beside("accuracy", "accuracy"))
    parts.append(f"{report['units']} units, {report['ties_excluded']} left out as ties")
    people = ceiling.get("annotators") or {}
    if ceiling.get("reason"):
        parts.append(f"no human ceiling: {ceiling['reason']}")
    elif people:
        parts.append(f"humans: {len(people)} annotators pooled over the "
                     f"{sum(e['units'] for e in people.values())} units they finished")
    return "   ·   ".join(parts)
