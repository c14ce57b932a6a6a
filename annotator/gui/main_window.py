"""The main window: assembles the item list, the item view and the label panel around one session, owns the
menus and the keys, and offers `add_lazy_view` so later panels (agreement, metric) join as tabs, each built
the first time it is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QProgressDialog,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from ..core.store import Project
from .background import BackgroundTask, run_in_background, side_pool
from .changes import Changes
from .dialogs import PROJECT_FILTER, ProjectPicker, ShortcutSheet
from .file_actions import FileActions
from .item_list import ItemListPanel
from .item_view import ItemView
from .label_panel import LabelPanel
from .session import AnnotationSession
from .settings import AppSettings
from .span_text import SpanText


GUIDELINE_WAIT_MS = 2000  # how long `g` waits for the digit of the label whose guideline to show


class MainWindow(QMainWindow):
    projectOpened = Signal()
    projectFailed = Signal(str)
    operationExecuted = Signal(object)  # Changes: every write the app made; panels decide what to redraw
    sampleStage = Signal(str)  # a stage of the sample build is done (emitted from the worker)

    def __init__(self, settings: AppSettings, annotator: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.annotator = annotator
        self.project: Project | None = None
        self.session: AnnotationSession | None = None
        self.undo_stack = QUndoStack(self)
        self.opening: BackgroundTask | None = None
        self._progress_taxonomy: str | None = None  # whose done count the status bar shows
        self.sample_progress: QProgressDialog | None = None
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
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)  # it names the taxonomy, which is input
        self.who = QLabel(self)
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.progress_label)
        self.statusBar().addPermanentWidget(self.who)
        self._set_annotator_label()

        self._tab_keys = _LeaveTabKeysToWindow(self)
        self.file_actions = FileActions(self)
        self._build_menus()
        self._build_keys()
        # the Agreement (Ctrl+Shift+A) and Metrics (Ctrl+Shift+M) tabs: their views, and the statistics and
        # charts they import, are built the first time one is needed (its tab shown, a key, a menu entry)
        self._views: dict[str, QWidget] = {}
        self._lazy_views: dict[str, tuple[QWidget, Callable[[], QWidget]]] = {}
        self.tabs.currentChanged.connect(self._tab_shown)
        self.add_lazy_view("Agreement", self._build_agreement_view)
        agreement_key = QShortcut(QKeySequence("Ctrl+Shift+A"), self)
        agreement_key.setContext(Qt.ShortcutContext.WindowShortcut)
        agreement_key.activated.connect(lambda: self.tabs.setCurrentWidget(self.agreement_view))
        self.add_lazy_view("Metrics", self._build_metric_view)
        self._build_metrics_menu()
        from .team_progress import install_team_progress
        install_team_progress(self)
        from .suggestions import install_suggestions
        self.suggestions = install_suggestions(self)
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
        self._action(edit, "Mark done and &next\tCtrl+Enter", self.done_and_next)
        self._action(edit, "Mark &done and stay\tCtrl+Shift+Enter", self.done_and_stay)
        self._action(edit, "Mark &not done", lambda: self.session and self.session.set_done(False))

        self.view_menu = bar.addMenu("&View")
        self._action(self.view_menu, "&Annotate", lambda: self.tabs.setCurrentIndex(0))
        self.advance_action = QAction("Ad&vance to the next unit after a rating", self)
        self.advance_action.setCheckable(True)
        self.advance_action.setChecked(self.settings.advance_after_rating)
        self.advance_action.setToolTip("A single-choice label given by key (a step rating, a verdict) moves on")
        self.advance_action.toggled.connect(self._set_advance)
        self.view_menu.addAction(self.advance_action)
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
            "e": self.focus_note, "g": self.await_guideline_digit,
        }
        for digit in "123456789":
            keys[digit] = lambda d=digit: self.label_key(d)
            # Qt matches Shift+digit whatever symbol the layout puts there; registering the symbol as well
            # would make the key ambiguous, and an ambiguous key does nothing
            keys[f"Shift+{digit}"] = lambda d=digit: self.show_guideline_key(d)
        self.shortcuts: dict[str, QShortcut] = {}
        for seq, slot in keys.items():
            help_key = seq in ("F1", "?")
            self.shortcuts[seq] = self._shortcut(seq, slot, guard=seq != "F1", annotate_only=not help_key)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            self.shortcuts[seq] = self._shortcut(seq, self.done_and_next, guard=False)
        for seq in ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"):
            self.shortcuts[seq] = self._shortcut(seq, self.done_and_stay, guard=False)
        for seq, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            self.shortcuts[seq] = self._shortcut(seq, lambda s=step: self.cycle_subtabs(s), guard=False,
                                                 annotate_only=False)
        self._shortcut("Escape", self._leave_field, guard=False, annotate_only=False)
        self._guideline_wait = QTimer(self, singleShot=True, interval=GUIDELINE_WAIT_MS)
        self._guideline_wait.timeout.connect(lambda: self.statusBar().clearMessage())

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
        if self._guideline_wait.isActive():  # `g` came first: read the guideline, label nothing
            self.show_guideline_key(key)
            return
        session = self.session
        if session is None:
            return
        ldef = self._label_with_key(key)
        target = session.target_for(ldef) if ldef is not None else None
        if not session.toggle_key(key):
            self.statusBar().showMessage(f"no label has the key {key} here", 4000)
            return
        if ldef is None:
            return
        self.label_panel.guideline.show_label(ldef)
        rated = (target is not None and ":" in target and not target.startswith("span:")
                 and session.taxonomy is not None and session.taxonomy.choice == "single" and session.is_on(ldef))
        if rated and self.advance_action.isChecked():
            session.move_unit(1)

    def _label_with_key(self, key: str):
        taxonomy = self.session.taxonomy if self.session is not None else None
        return next((ldef for ldef in (taxonomy.labels if taxonomy else []) if ldef.key == key), None)

    def await_guideline_digit(self) -> None:
        """`g`: the next digit shows that label's guideline instead of applying the label."""
        self._guideline_wait.start()
        self.statusBar().showMessage("guideline of which label? press its digit", GUIDELINE_WAIT_MS)

    def show_guideline_key(self, key: str) -> None:
        """Shift+digit (or `g` then the digit): read a label's guideline without applying it."""
        self._guideline_wait.stop()
        ldef = self._label_with_key(key)
        if ldef is None:
            self.statusBar().showMessage(f"no label has the key {key} here", 4000)
            return
        self.label_panel.guideline.show_label(ldef)
        self.statusBar().showMessage(f"guideline of {ldef.name} (not applied)", 4000)

    def focus_note(self) -> None:
        """`e`: write a note on the selected unit (Enter saves it, Esc goes back to labelling)."""
        note = self.label_panel.note
        if note.isEnabled():
            note.setFocus(Qt.FocusReason.ShortcutFocusReason)
            note.selectAll()

    def cycle_subtabs(self, step: int) -> None:
        """Ctrl+PgDn / Ctrl+PgUp: the next or previous tab inside the agreement or metric view."""
        tabs = getattr(self.tabs.currentWidget(), "subtabs", None)
        if isinstance(tabs, QTabWidget) and tabs.count():
            index = tabs.currentIndex()
            for _ in range(tabs.count()):
                index = (index + step) % tabs.count()
                if tabs.isTabVisible(index) and tabs.isTabEnabled(index):
                    break
            tabs.setCurrentIndex(index)

    def _set_advance(self, on: bool) -> None:
        self.settings.advance_after_rating = on

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
        model = self.item_list.model
        self.session.done_and_next(within=model.filter if model is not None else None)

    def done_and_stay(self) -> None:
        if self.session is None or self.session.item is None:
            return
        self.label_panel.save_note()
        self.session.done_and_stay()

    def announce(self, changes: Changes) -> None:
        """Tell every panel what a write changed (the one way panels hear about each other's work)."""
        self.operationExecuted.emit(changes)

    def show_shortcuts(self) -> None:
        ShortcutSheet(self).exec()

    def add_lazy_view(self, title: str, build: Callable[[], QWidget]) -> int:
        """Add a panel (an agreement or metric view) as a tab with a View menu entry to reach it; `build()` makes
        the panel the first time it is needed (its tab shown, or `view(title)` asked), an empty stand-in holding
        its place until then."""
        stand_in = QWidget(self)
        self._lazy_views[title] = (stand_in, build)
        index = self.tabs.addTab(stand_in, title)
        self._action(self.view_menu, title, lambda: self.tabs.setCurrentWidget(self.view(title)))
        return index

    def view(self, title: str) -> QWidget:
        """The panel of the tab `title`, built now if it was not yet (it takes the stand-in's place)."""
        built = self._views.get(title)
        if built is None:
            stand_in, build = self._lazy_views.pop(title)
            built = self._views[title] = build()
            index, current = self.tabs.indexOf(stand_in), self.tabs.currentIndex()
            blocked = self.tabs.blockSignals(True)  # the tab shown stays the same tab
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, built, title)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(blocked)
            stand_in.deleteLater()
            self._leave_tab_keys_to_window(built)
        return built

    @property
    def agreement_view(self):
        """The Agreement tab's AgreementView (built on first use)."""
        return self.view("Agreement")

    @property
    def metric_view(self):
        """The Metrics tab's MetricView (built on first use)."""
        return self.view("Metrics")

    def _tab_shown(self, index: int) -> None:
        title = self.tabs.tabText(index)
        if title in self._lazy_views and self.tabs.widget(index) is self._lazy_views[title][0]:
            self.view(title)

    def _leave_tab_keys_to_window(self, widget: QWidget) -> None:
        for control in widget.findChildren(QComboBox):  # a focused combo box would take Ctrl+PgDn for itself
            control.installEventFilter(self._tab_keys)

    def _build_agreement_view(self) -> QWidget:
        from .agreement_view import build_agreement_view

        return build_agreement_view(self)

    def _build_metric_view(self) -> QWidget:
        from .metric_view import build_metric_view

        return build_metric_view(self)

    def _build_metrics_menu(self) -> None:
        """The Metrics menu (before Help): show the metric view (Ctrl+Shift+M), run the judge or the heuristics."""
        bar = self.menuBar()
        menu = bar.addMenu("&Metrics")
        help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_action is not None:
            bar.insertMenu(help_action, menu)
        shortcut = QAction("Show &metric view", self)
        shortcut.setShortcut(QKeySequence("Ctrl+Shift+M"))
        shortcut.triggered.connect(lambda _=False: self.tabs.setCurrentWidget(self.metric_view))
        menu.addAction(shortcut)
        menu.addSeparator()

        def judge() -> None:
            from .judge_dialog import open_judge_dialog

            open_judge_dialog(self, self.metric_view)

        def heuristics() -> None:
            from .judge_dialog import run_heuristics

            run_heuristics(self, self.metric_view)

        menu.addAction("Run LLM &judge…").triggered.connect(lambda _=False: judge())
        menu.addAction("Run built-in &heuristics").triggered.connect(lambda _=False: heuristics())

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
        """Build the sample project from the shipped sample data (once), then open it; both off the UI thread,
        with a progress dialog, since the first build takes a while."""
        self.statusBar().showMessage("building the sample project...")
        self.sample_progress = QProgressDialog("Building the sample project (first run only): importing items...",
                                               "", 0, 0, self)
        self.sample_progress.setWindowTitle("Sample project")
        self.sample_progress.setCancelButton(None)
        self.sample_progress.setMinimumDuration(300)
        self.sample_progress.setAutoClose(False)
        self.sample_progress.setAutoReset(False)
        self.sampleStage.connect(self._sample_stage)

        def work(task: BackgroundTask) -> tuple[Project, str]:
            from ..core.sample import build_sample_project
            path = str(build_sample_project(progress=self.sampleStage.emit,
                                            items_progress=lambda done, total: task.progressed.emit(done, total)))
            return Project.open(path), path

        def opened(pp: tuple[Project, str]) -> None:
            self._end_sample_progress()
            self.set_project(*pp)

        def failed(exc: BaseException) -> None:
            self._end_sample_progress()
            self.statusBar().showMessage(f"could not build the sample project: {exc}", 15000)
            self.projectFailed.emit(str(exc))

        def progressed(done: int, total: int) -> None:
            if self.sample_progress is not None and total > 0:
                self.sample_progress.setRange(0, 1000)
                self.sample_progress.setValue(min(999, int(1000 * done / total)))

        self.opening = run_in_background(work, opened, failed, progressed, parent=self)
        return self.opening

    def _sample_stage(self, line: str) -> None:
        """A stage of the sample build finished: say what it did; the rest (labels, metrics) is quick."""
        if self.sample_progress is not None:
            self.sample_progress.setRange(0, 0)
            self.sample_progress.setLabelText(f"Building the sample project (first run only): {line}")
        self.statusBar().showMessage(f"building the sample project: {line}")

    def _end_sample_progress(self) -> None:
        self.sampleStage.disconnect(self._sample_stage)
        if self.sample_progress is not None:
            self.sample_progress.close()
            self.sample_progress.deleteLater()
            self.sample_progress = None

    def set_project(self, project: Project, path: str | None = None) -> None:
        self.close_project()
        self.project = project
        self._progress_taxonomy = None
        self.session = AnnotationSession(project, self.annotator, self.undo_stack, self, self._remembered())
        self.session.saved.connect(self._saved)
        self.session.changed.connect(self.announce)
        self.session.leftUnfinished.connect(self._left_unfinished)
        self.session.failed.connect(lambda msg: self.statusBar().showMessage(msg, 6000))
        self.session.taxonomyChanged.connect(self._progress_of_taxonomy)
        self.session.itemChanged.connect(self._progress_of_taxonomy)
        self.session.itemChanged.connect(self._update_title)
        self.session.itemChanged.connect(self._read_ahead)
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
        from ..core.answers import warm_up  # the trace view's answer badge is ready by the first trace
        run_in_background(lambda _t: warm_up(), parent=self, pool=side_pool("answers"))
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

    def items_changed(self, changes: Changes | None = None) -> None:
        """Items or labels came in from outside (an import, a merge): reload the list and the item, and tell
        the other panels (by default, anything may have changed)."""
        self.announce(changes or Changes(items=True, labels=True, done=True, predictions=True))
        if self.session is None:
            return
        self.session.prefetch.forget()
        self.item_list.set_session(self.session)
        current = self.session.item.id if self.session.item else None
        if current:
            self.session.item = None
            self.session.open_item(current)
        elif self.item_list.model and self.item_list.model.rowCount():
            self.item_list.select_row(0)
        self._update_progress()

    def _read_ahead(self) -> None:
        """Read the items n and p would open next while the annotator works on this one."""
        model, s = self.item_list.model, self.session
        if model is None or s is None or s.item is None:
            return
        row = self.item_list.current_row()
        if row < 0 or model.item_id(row) != s.item.id:  # opened otherwise than from the list (an undo)
            row = model.row_of(s.item.id)
        if row is not None:
            s.prefetch.want([model.item_id(r) for r in (row + 1, row - 1) if 0 <= r < model.rowCount()])

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
    def _left_unfinished(self, item_id: str, taxonomies: list[str]) -> None:
        self.statusBar().showMessage(
            f"{item_id} has labels not marked done in {', '.join(taxonomies)}: figures leave them out until it is "
            "(go back and press Ctrl+Enter, or Ctrl+Shift+Enter to mark done and stay)", 12000)

    def _saved(self, message: str) -> None:
        """Labels and notes never change completion, so a save shows its message without counting the done
        items again (a done change, an import or a merge updates the count itself)."""
        self.statusBar().showMessage(message, 8000)

    def _progress_of_taxonomy(self) -> None:
        """Another item or taxonomy: the count is asked again only when the taxonomy it counts changed."""
        s = self.session
        if s is None or s.taxonomy is None or s.taxonomy.id != self._progress_taxonomy:
            self._update_progress()

    def _update_progress(self) -> None:
        s = self.session
        progress = s.progress() if s else None
        self._progress_taxonomy = s.taxonomy.id if s is not None and s.taxonomy is not None else None
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


class _LeaveTabKeysToWindow(QObject):
    """Lets Ctrl+PgDn / Ctrl+PgUp reach the window's tab cycling from a focused combo box, which would otherwise
    claim them to step through its own entries."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier \
                and event.key() in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            event.ignore()
            return True
        return False
