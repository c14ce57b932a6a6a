"""The File menu's long operations (import items or labels, export labels, merge projects), each run off the UI
thread with a progress dialog, each opening its own `Project` in the worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from ..core.errors import AnnotatorError, InputError
from ..core.store import Project
from .background import BackgroundTask, Cancelled, run_in_background
from .changes import Changes
from .dialogs import PROJECT_FILTER, ExportDialog, ProblemsDialog

if TYPE_CHECKING:
    from .main_window import MainWindow

ITEM_FILTER = "Item files (*.jsonl *.json *.csv);;All files (*)"


class FileActions(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.task: BackgroundTask | None = None
        self.dialog: QProgressDialog | None = None
        self.problems: ProblemsDialog | None = None
        self.message: QMessageBox | None = None
        self.last_result: Any = None
        self.last_error: BaseException | None = None

    # --- the pattern every operation follows ------------------------------------------------------------
    def run(self, title: str, work: Callable[[BackgroundTask, Project], Any], done: Callable[[Any], None]) -> None:
        """Run `work(task, project)` on a worker with its own connection to the open project."""
        if self.window.project is None:
            return
        url = self.window.project.url
        self.dialog = QProgressDialog(title, "Cancel", 0, 0, self.window)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)

        def in_worker(task: BackgroundTask):
            with Project.open(url) as project:
                return work(task, project)

        def progressed(now: int, total: int) -> None:
            if self.dialog is not None and total > 0:
                self.dialog.setMaximum(1000)
                self.dialog.setValue(min(1000, int(1000 * now / total)))

        def finished(result: Any) -> None:
            self._close_dialog()
            self.last_result, self.last_error = result, None
            done(result)

        def failed(exc: BaseException) -> None:
            self._close_dialog()
            self.last_error = exc
            self.show_error(title, exc)

        self.task = run_in_background(in_worker, finished, failed, progressed, parent=self)
        self.dialog.canceled.connect(self.task.cancel)

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None

    def show_error(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.window.statusBar().showMessage(f"{title}: cancelled, nothing changed", 8000)
        elif isinstance(exc, InputError):
            self.problems = ProblemsDialog(title, exc.problems, self.window)
            self.problems.open()
        else:  # shown without blocking, so a failure never stalls the event loop (or a test)
            text = str(exc) if isinstance(exc, AnnotatorError) else f"{type(exc).__name__}: {exc}"
            self.message = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Close,
                                       self.window)
            self.message.setTextFormat(Qt.TextFormat.PlainText)
            self.message.open()

    # --- the operations ----------------------------------------------------------------------------------
    def import_items(self, paths: list[str] | None = None) -> None:
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self.window, "Import items", "", ITEM_FILTER)
        if not paths:
            return

        def done(summary) -> None:
            self.window.items_changed(Changes(items=True))
            self.window.statusBar().showMessage(f"saved: {summary.line()}", 10000)

        self.run("Import items", lambda task, p: p.import_items(paths, progress=task.progress), done)

    def import_labels(self, paths: list[str] | None = None) -> None:
        from ..core.labels_csv import import_labels_csv
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self.window, "Import labels", "", "CSV (*.csv)")
        if not paths:
            return

        def done(result) -> None:
            self.window.items_changed(Changes(labels=True, done=True))
            self.window.statusBar().showMessage(f"saved: {result.line()}", 10000)

        self.run("Import labels", lambda task, p: import_labels_csv(p, paths), done)

    def export_labels(self, options: dict | None = None) -> None:
        from ..core.export import export_labels_csv
        if options is None:
            project = self.window.project
            if project is None:
                return
            dialog = ExportDialog(project.taxonomies.ids(), project.annotators(), self.window)
            if dialog.exec() != ExportDialog.DialogCode.Accepted:
                return
            options = dialog.options()
        if not options.get("out"):
            return
        out = options.pop("out")
        self.run("Export labels", lambda task, p: export_labels_csv(p, out, **options),
                 lambda _r: self.window.statusBar().showMessage(f"exported labels to {out}", 10000))

    def merge_projects(self, paths: list[str] | None = None) -> None:
        from ..core.merge import merge_projects
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self.window, "Merge projects", "", PROJECT_FILTER)
        if not paths:
            return

        def done(result) -> None:
            self.window.items_changed()
            self.window.statusBar().showMessage(f"saved: {result.line()}", 10000)

        self.run("Merge projects", lambda task, p: merge_projects(p, paths), done)
