"""View > Team progress: each annotator's work against the lead's plan (`annotator assign`), after merges."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from .report_models import Column, RecordTableModel
from .report_tables import report_table
from .text import plain_label


def progress_rows(progress: dict[str, dict[str, Any]], taxonomies: list[str]) -> tuple[list[dict], list[Column]]:
    """One row per annotator of the plan: assigned, calibration, and per taxonomy the items done and their share."""
    rows, columns = [], [Column("annotator", "Annotator", "text"), Column("assigned", "Assigned", "count"),
                         Column("shared", "Calibration", "count", tip="items everyone in the plan labels")]
    shown = [t for t in taxonomies if any(t in p["done"] for p in progress.values())] or taxonomies[:1]
    for tax in shown:
        columns.append(Column(f"done:{tax}", f"Done ({tax})", "count"))
        columns.append(Column(f"share:{tax}", "Share", "share", digits=0))
    for name, plan in progress.items():
        row: dict[str, Any] = {"annotator": name, "assigned": plan["assigned"], "shared": plan["shared"]}
        for tax in shown:
            done = plan["done"].get(tax, 0)
            row[f"done:{tax}"] = done
            row[f"share:{tax}"] = done / plan["assigned"] if plan["assigned"] else None
        rows.append(row)
    return rows, columns


class TeamProgressDialog(QDialog):
    def __init__(self, project, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Team progress")
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        progress = project.assignments.progress()
        rows, columns = progress_rows(progress, project.taxonomies.ids())
        self.model = RecordTableModel(columns, rows, self)
        self.summary: QLabel = plain_label(
            f"{len(rows)} annotators in the plan; done counts come from the work merged into this project."
            if rows else "No plan yet. Hand out work packages with `annotator assign` (see the team leads' "
                         "guide); after the packs are merged back, each annotator's progress shows here.", self)
        layout.addWidget(self.summary)
        self.table = report_table(self, self.model, stretch=0)
        self.table.setVisible(bool(rows))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def install_team_progress(window) -> QAction:
    """View > Team progress (Ctrl+Shift+T)."""
    action = QAction("&Team progress...", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+T"))

    def show() -> None:
        if window.project is None:
            window.statusBar().showMessage("open a project first", 4000)
            return
        TeamProgressDialog(window.project, window).exec()

    action.triggered.connect(lambda _=False: show())
    window.view_menu.addAction(action)
    window.addAction(action)
    return action
