"""The main window: assembles the item list, the item view and the label panel around one session, owns the
menus and the keys, and offers `add_view` so later panels (agreement, metric) can join as tabs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from ..core.store import Project
from .background import BackgroundTask, run_in_background
from .dialogs import PROJECT_FILTER, ProjectPicker, ShortcutSheet
from .file_actions import FileActions
from .item_list import ItemListPanel
from .item_view import ItemView
from .label_panel import LabelPanel
from .session import AnnotationSession
from .settings import AppSettings
from .span_text import SpanText


class MainWindow(QMainWindow):
    projectOpened = Signal()
    projectFailed = Signal(str)

    def __init__(self, settings: AppSettings, annotator: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.annotator = annotator
        self.project: Project | None = None
        self.session: AnnotationSession | None = None
        self.undo_stack = QUndoStack(self)
        self.opening: BackgroundTask | None = None
        self.setWindowTitle("annotator")
        self.resize(1400, 880)

        self.item_list = ItemListPanel(self)
        self.item_view = ItemView(self)
        self.label_panel = LabelPanel(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.item_list)
        self.splitter.addWidget(self.item_view)
        self.splitter.addWidget(self.label_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([340, 720, 340])
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, "Annotate")
        self.setCentralWidget(self.tabs)

        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("progress")
        self.who = QLabel(self)
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.progress_label)
        self.statusBar().addPermanentWidget(self.who)
        self._set_annotator_label()

        self.file_actions = FileActions(self)
        self._build_menus()
        self._build_keys()
        # the Agreement tab (Ctrl+Shift+A)
        from .agreement_view import install_agreement_view
        self.agreement_view = install_agreement_view(self)
        # the Metrics tab and menu (Ctrl+Shift+M)
        from .metric_view import install_metric_view
        self.metric_view = install_metric_view(self)
        self.item_list.itemChosen.connect(self._item_chosen)
        self.label_panel.doneRequested.connect(self.done_and_next)

    # --- menus and keys ----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New project...", self.new_project, QKeySequence.StandardKey.New)
        self._action(file, "&Open project...", self.pick_project, QKeySequence.StandardKey.Open)
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file.addSeparator()
        self._action(file, "&Import items...", lambda: self.file_actions.import_items())
        self._action(file, "Import &labels...", lambda: self.file_actions.import_labels())
        self._action(file, "&Export labels...", lambda: self.file_actions.export_labels())
        self._action(file, "&Merge project...", lambda: self.file_actions.merge_projects())
        file.addSeparator()
        self._action(file, "Change my &name...", self.change_name)
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            edit.addAction(action)
            self.addAction(action)
        edit.addSeparator()
        self._action(edit, "Mark done and &next", self.done_and_next)
        self._action(edit, "Mark &not done", lambda: self.session and self.session.set_done(False))

        self.view_menu = bar.addMenu("&View")
        self._action(self.view_menu, "&Annotate", lambda: self.tabs.setCurrentIndex(0))
        self.view_menu.addSeparator()
        help_ = bar.addMenu("&Help")
        self._action(help_, "&Keyboard shortcuts", self.show_shortcuts)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    def _build_keys(self) -> None:
        keys = {
            "n": lambda: self.item_list.step(1), "p": lambda: self.item_list.step(-1),
            "j": lambda: self.session and self.session.move_unit(1),
            "k": lambda: self.session and self.session.move_unit(-1),
            "t": lambda: self.session and self.session.cycle_taxonomy(),
            "s": self.select_text,
            "+": lambda: self._zoom(1.25), "=": lambda: self._zoom(1.25), "-": lambda: self._zoom(0.8),
            "0": lambda: self._zoom(0),
            "/": self.focus_search, "?": self.show_shortcuts, "F1": self.show_shortcuts,
        }
        for digit in "123456789":
            keys[digit] = lambda d=digit: self.label_key(d)
        self.shortcuts: dict[str, QShortcut] = {}
        for seq, slot in keys.items():
            help_key = seq in ("F1", "?")
            self.shortcuts[seq] = self._shortcut(seq, slot, guard=seq != "F1", annotate_only=not help_key)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            self.shortcuts[seq] = self._shortcut(seq, self.done_and_next, guard=False)
        self._shortcut("Escape", self._leave_field, guard=False, annotate_only=False)

    def _shortcut(self, seq: str, slot, guard: bool, annotate_only: bool = True) -> QShortcut:
        """A window-wide key. Annotating keys act only on the Annotate tab (a label key pressed on the
        agreement or metric view must not label the item hidden behind it); guarded keys also stay quiet
        while the keyboard is in a text field."""
        sc = QShortcut(QKeySequence(seq), self)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)

        def fire() -> None:
            if annotate_only and not self.annotating():
                return
            if guard and self.typing():
                return
            slot()

        sc.activated.connect(fire)
        return sc

    def annotating(self) -> bool:
        return self.tabs.currentIndex() == 0

    def typing(self) -> bool:
        """True while the keyboard belongs to a text field (search, note): single-key commands stay quiet."""
        w = QApplication.focusWidget()
        if isinstance(w, (QLineEdit, QAbstractSpinBox)):
            return True
        if isinstance(w, (QTextEdit, QPlainTextEdit)):
            return not w.isReadOnly()
        return isinstance(w, QComboBox) and w.isEditable()

    def select_text(self) -> None:
        page = self.item_view.page
        if page is not None and page.focus_text():
            self.statusBar().showMessage("select text with Shift+arrows, then press a label key; Esc to leave", 6000)
        else:
            self.statusBar().showMessage("nothing here takes a span of text", 4000)

    def _leave_field(self) -> None:
        if self.typing() or self.item_list.table.hasFocus() or isinstance(QApplication.focusWidget(), SpanText):
            self.label_panel.save_note()
            self.item_view.setFocus()

    def focus_search(self) -> None:
        self.item_list.search.setFocus()
        self.item_list.search.selectAll()

    def label_key(self, key: str) -> None:
        if self.session is not None and not self.session.toggle_key(key):
            self.statusBar().showMessage(f"no label has the key {key} here", 4000)
        elif self.session is not None and self.session.taxonomy is not None:
            for ldef in self.session.taxonomy.labels:
                if ldef.key == key:
                    self.label_panel.guideline.show_label(ldef)

    def _zoom(self, factor: float) -> None:
        page = self.item_view.page
        if page is self.item_view.caption:
            if factor == 0:
                self.item_view.caption.image.reset_zoom()
            else:
                page.zoom(factor)

    def done_and_next(self) -> None:
        if self.session is None or self.session.item is None:
            return
        self.label_panel.save_note()
        self.session.done_and_next()

    def show_shortcuts(self) -> None:
        ShortcutSheet(self).exec()

    def add_view(self, title: str, widget: QWidget) -> int:
        """Add a panel (an agreement or metric view) as a tab, with a View menu entry to reach it."""
        index = self.tabs.addTab(widget, title)
        self._action(self.view_menu, title, lambda: self.tabs.setCurrentWidget(widget))
        return index

    # --- projects ------------------------------------------------------------------------------------------
    def open_project(self, path: str, create: bool = False) -> BackgroundTask:
        """Open (or create) a project off the UI thread; `projectOpened` or `projectFailed` follows."""
        self.statusBar().showMessage(f"opening {path}...")

        def work(_task: BackgroundTask) -> Project:
            return Project.open(path, create=create)

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(f"could not open {path}: {exc}", 15000)
            self.projectFailed.emit(str(exc))

        self.opening = run_in_background(work, lambda p: self.set_project(p, path), failed, parent=self)
        return self.opening

    def open_sample(self) -> BackgroundTask:
        """Build the sample project from the shipped sample data (once), then open it; both off the UI thread."""
        self.statusBar().showMessage("building the sample project...")

        def work(_task: BackgroundTask) -> tuple[Project, str]:
            from ..core.sample import build_sample_project
            path = str(build_sample_project())
            return Project.open(path), path

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(f"could not build the sample project: {exc}", 15000)
            self.projectFailed.emit(str(exc))

        self.opening = run_in_background(work, lambda pp: self.set_project(*pp), failed, parent=self)
        return self.opening

    def set_project(self, project: Project, path: str | None = None) -> None:
        self.close_project()
        self.project = project
        self.session = AnnotationSession(project, self.annotator, self.undo_stack, self, self._remembered())
        self.session.saved.connect(self._saved)
        self.session.failed.connect(lambda msg: self.statusBar().showMessage(msg, 6000))
        self.session.taxonomyChanged.connect(self._update_progress)
        self.session.itemChanged.connect(self._update_progress)
        self.session.itemChanged.connect(self._update_title)
        self.session.doneChanged.connect(lambda _i: self._update_progress())
        self.item_list.set_session(self.session)
        self.item_view.bind(self.session)
        self.label_panel.bind(self.session)
        if path:
            self.settings.add_recent(path)
        self._project_path = path or project.url
        self._update_title()
        first = self.item_list.model.item_id(0) if self.item_list.model else None
        if first is not None:
            self.item_list.select_row(0)
            self.statusBar().showMessage(f"opened {self._project_path}", 5000)
        else:
            self.statusBar().showMessage("this project has no items yet: File > Import items", 15000)
        self.item_view.setFocus()  # keys go to labelling, not into the search field
        self.projectOpened.emit()

    def close_project(self) -> None:
        if self.session is not None:
            self.label_panel.save_note()
            for kind, tax in self.session.active_taxonomies.items():
                self.settings.set_taxonomy_for(kind, tax)
            self.session.blockSignals(True)
        self.undo_stack.clear()
        self.item_list.set_session(None)
        self.session = None
        if self.project is not None:
            self.project.close()
            self.project = None

    def _remembered(self) -> dict[str, str]:
        out = {}
        for kind in ("rubric", "caption", "trace"):
            tax = self.settings.taxonomy_for(kind)
            if tax:
                out[kind] = tax
        return out

    def items_changed(self) -> None:
        """Items or labels came in from outside (an import, a merge): reload the list and the item."""
        if self.session is None:
            return
        self.item_list.set_session(self.session)
        current = self.session.item.id if self.session.item else None
        if current:
            self.session.item = None
            self.session.open_item(current)
        elif self.item_list.model and self.item_list.model.rowCount():
            self.item_list.select_row(0)
        self._update_progress()

    def _item_chosen(self, item_id: str) -> None:
        if self.session is not None:
            self.session.open_item(item_id)

    def new_project(self) -> None:
        from PySide6.QtWidgets import QFileDialog
        path, _ = QFileDialog.getSaveFileName(self, "New project", "project.sqlite", PROJECT_FILTER)
        if path:
            self.open_project(path, create=True)

    def pick_project(self) -> None:
        picker = ProjectPicker(self.settings.recent_projects(), self)
        if picker.exec() != ProjectPicker.DialogCode.Accepted:
            return
        if picker.sample:
            self.open_sample()
        elif picker.chosen:
            self.open_project(picker.chosen, create=picker.create)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_projects():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))

    def change_name(self) -> None:
        from .dialogs import NameDialog
        dialog = NameDialog(self.annotator, self)
        if dialog.exec() == NameDialog.DialogCode.Accepted and dialog.name:
            self.annotator = dialog.name
            self.settings.annotator = dialog.name
            self._set_annotator_label()
            if self.project is not None:
                self.set_project(Project.open(self.project.url), self._project_path)

    # --- the status bar ------------------------------------------------------------------------------------
    def _saved(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self._update_progress()

    def _update_progress(self) -> None:
        s = self.session
        progress = s.progress() if s else None
        if progress is None or s is None or s.taxonomy is None:
            self.progress_label.setText("")
            return
        done, total = progress
        self.progress_label.setText(f"{done} of {total} done ({s.taxonomy.name})")

    def _set_annotator_label(self) -> None:
        self.who.setText(f"annotator: {self.annotator}")

    def _update_title(self) -> None:
        name = Path(self._project_path).name if getattr(self, "_project_path", None) else ""
        if name and self.project is not None and self.project.db.read_only:
            name += " (read-only)"  # label keys then say why nothing is saved
        item = self.session.item.id if self.session and self.session.item else ""
        self.setWindowTitle(" - ".join(x for x in (item, name, "annotator") if x))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_project()
        super().closeEvent(event)
