"""Small dialogs: the annotator's name, the project picker, the list of import problems, the key sheet,
and the export options."""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import Problem
from .text import plain_label, tooltip_text

PROJECT_FILTER = "Annotator projects (*.sqlite *.db);;All files (*)"


class NameDialog(QDialog):
    """Asked once: labels are stored under this name, so agreement can tell annotators apart."""

    def __init__(self, suggested: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Your name")
        self.edit = QLineEdit(suggested or _login_name(), self)
        self.edit.selectAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(
            lambda t: buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(t.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Your labels are saved under this name. Use the same name on every laptop.",
                                     self))
        layout.addWidget(self.edit)
        layout.addWidget(buttons)

    @property
    def name(self) -> str:
        return self.edit.text().strip()


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some sandboxes
        return ""


class ProjectPicker(QDialog):
    """Recent projects first; or open another file, start a new project, or open the sample project."""

    def __init__(self, recent: list[str], parent: QWidget | None = None, sample_available: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Open a project")
        self.resize(560, 360)
        self.chosen: str | None = None
        self.create = False
        self.sample = False
        self.list = QListWidget(self)
        for path in recent:
            entry = QListWidgetItem(Path(path).name if "://" not in path else path)
            entry.setData(Qt.ItemDataRole.UserRole, path)
            entry.setToolTip(tooltip_text(path))
            if "://" not in path and not Path(path).exists():
                entry.setFlags(entry.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                entry.setText(entry.text() + "  (missing)")
            self.list.addItem(entry)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _i: self._open_selected())
        open_button = QPushButton("Open", self)
        open_button.setDefault(True)
        open_button.clicked.connect(self._open_selected)
        other = QPushButton("Other file...", self)
        other.clicked.connect(self._browse)
        new = QPushButton("New project...", self)
        new.clicked.connect(self._new)
        server = QPushButton("Team server...", self)
        server.setToolTip("a project on a shared PostgreSQL server, e.g. postgresql://alice@db.example/rubrics")
        server.clicked.connect(self._server)
        sample = QPushButton("Sample project", self)
        sample.setEnabled(sample_available)
        sample.clicked.connect(self._sample)
        cancel = QPushButton("Cancel", self)
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        for b in (other, new, server, sample):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Recent projects", self))
        layout.addWidget(self.list, 1)
        layout.addLayout(row)

    def _open_selected(self) -> None:
        entry = self.list.currentItem()
        if entry is not None and entry.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.chosen = entry.data(Qt.ItemDataRole.UserRole)
            self.accept()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
        if path:
            self.chosen = path
            self.accept()

    def _new(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", "project.sqlite", PROJECT_FILTER)
        if path:
            self.chosen, self.create = path, True
            self.accept()

    def _server(self) -> None:
        url, ok = QInputDialog.getText(self, "Team server", "Database URL of the shared project "
                                       "(postgresql://user@host/database); the password, if any, is asked by the "
                                       "server or taken from ~/.pgpass:", text="postgresql://")
        url = url.strip()
        if ok and "://" in url and not url.endswith("://"):
            self.chosen, self.create = url, True  # an empty database becomes a new team project
            self.accept()

    def _sample(self) -> None:
        self.sample = True
        self.accept()


class ProblemsDialog(QDialog):
    """Every problem of a refused input, one a line (`file:line: field: message`), copyable."""

    def __init__(self, title: str, problems: list[Problem] | list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 420)
        lines = [str(p) for p in problems]
        head = plain_label(f"Nothing was imported. {len(lines)} problem{'s' if len(lines) != 1 else ''} "
                           "to fix first:", self)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)


SHORTCUTS = (
    ("n / p", "next / previous item in the list"),
    ("j / k", "next / previous unit the taxonomy labels (the item, its criteria or steps)"),
    ("1 - 9", "toggle the label with that key on the selected unit (or on selected text)"),
    ("Shift+1 - 9, or g then 1 - 9", "read that label's guideline without applying it"),
    ("t", "switch to the next taxonomy for this kind of item"),
    ("e", "write a note on the selected unit (Enter saves, Esc goes back)"),
    ("s", "select text in the step or caption (Shift+arrows), then press a label key"),
    ("Ctrl+Enter", "mark the item done and go to the next listed item not done"),
    ("Ctrl+Shift+Enter", "mark the item done and stay on it"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo (every step is saved at once)"),
    ("Shift+A / a", "show a metric's suggestions (next source) / accept them as your labels"),
    ("/", "search items by id and text"),
    ("+ / - / 0", "zoom the caption image in / out / back to fit (also Ctrl+wheel)"),
    ("Esc", "leave the search field, the note field or the text"),
    ("Ctrl+Shift+A / Ctrl+Shift+M", "the agreement view / the metric view"),
    ("Ctrl+Shift+T", "team progress against the lead's plan"),
    ("Ctrl+PgDn / Ctrl+PgUp", "next / previous tab inside the agreement or metric view"),
    ("Alt+T, Alt+N, Alt+R, Alt+I", "the taxonomy, annotators, resamples, metric or threshold controls"),
    ("Tab / Shift+Tab", "move between controls (the focused one is outlined)"),
    ("F1 or ?", "this sheet"),
)


class ShortcutSheet(QDialog):
    """Every key on one sheet, sized to show all its rows: nothing hides below a fold."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        table = self.table = QTableWidget(len(SHORTCUTS), 2, self)
        table.setHorizontalHeaderLabels(["Keys", "What they do"])
        table.verticalHeader().setVisible(False)
        for row, (keys, what) in enumerate(SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frame = 2 * table.frameWidth()
        table.setMinimumHeight(table.horizontalHeader().height() + table.verticalHeader().length() + frame)
        table.setMinimumWidth(table.horizontalHeader().length() + frame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.adjustSize()


class ExportDialog(QDialog):
    """Where and how to export labels: long or wide CSV, with gold, for one taxonomy or annotator."""

    def __init__(self, taxonomies: list[str], annotators: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export labels")
        self.path = QLineEdit("labels.csv", self)
        browse = QPushButton("...", self)
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.wide = QCheckBox("Wide form (one 0/1 column per label)", self)
        self.gold = QCheckBox("Include gold answers", self)
        # unfinished work is exported by default, so a half-done batch is never silently missing (DESIGN 10.2)
        self.done_only = QCheckBox("Finished work only (leave out items not marked done)", self)
        self.taxonomy = QComboBox(self)
        self.taxonomy.addItem("every taxonomy", None)
        for t in taxonomies:
            self.taxonomy.addItem(t, t)
        self.annotator = QComboBox(self)
        self.annotator.addItem("every annotator", None)
        for a in annotators:
            self.annotator.addItem(a, a)
        form = QFormLayout()
        form.addRow("File", where)
        form.addRow("", self.wide)
        form.addRow("", self.gold)
        form.addRow("", self.done_only)
        form.addRow("Taxonomy", self.taxonomy)
        form.addRow("Annotator", self.annotator)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export labels", self.path.text(), "CSV (*.csv)")
        if path:
            self.path.setText(path)

    def options(self) -> dict:
        return {"out": self.path.text().strip(), "wide": self.wide.isChecked(), "gold": self.gold.isChecked(),
                "done_only": self.done_only.isChecked(), "taxonomy": self.taxonomy.currentData(),
                "annotator": self.annotator.currentData()}
