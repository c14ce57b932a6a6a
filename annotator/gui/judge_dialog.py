"""Running metrics from the app: an LLM judge over an OpenAI-compatible endpoint, and the built-in heuristics.

The dialog never makes a request on its own: nothing leaves the machine until the user presses Run with an
endpoint filled in. The API key is not a field: the user names the environment variable that holds it, and the
client reads it at request time, so the key is never typed into, shown by, or stored by the app. Replies are
cached in the project, so running the same judge again costs nothing, and a cancelled run resumes for free.
"""

from __future__ import annotations

import os
import threading
from itertools import islice
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import AnnotatorError
from ..core.judge import JudgeClient, JudgeResult, run_judge
from ..core.store import Project
from .background import BackgroundTask, run_in_background
from .changes import Changes

DEFAULT_KEY_ENV = "ANNOTATOR_JUDGE_API_KEY"
CHARS_PER_TOKEN = 4
VOTES_FORMAT = "%v of %m votes"


class TokenMeter:
    """Stands in for the judge client and counts tokens as replies arrive, so the dialog can show the cost
    while the run goes on (the runner only reports usage at the end). Cached votes make no request and
    count nothing."""

    def __init__(self, client: JudgeClient):
        self.client = client
        self.model = client.model
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.estimated = False
        self._lock = threading.Lock()

    def chat(self, messages: list[dict[str, str]]):
        reply = self.client.chat(messages)
        with self._lock:
            if reply.usage is not None:
                self.prompt_tokens += reply.usage["prompt_tokens"]
                self.completion_tokens += reply.usage["completion_tokens"]
            else:
                self.estimated = True
                self.prompt_tokens += sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN
                self.completion_tokens += len(reply.content) // CHARS_PER_TOKEN
        return reply

    def text(self) -> str:
        about = "about " if self.estimated else ""
        return f"{about}{self.prompt_tokens:,} tokens in, {self.completion_tokens:,} out in this run"


def summary_line(result: JudgeResult, stored: int) -> str:
    c, u = result.counts, result.usage
    return (f"metric {result.metric}: {len(result.scored_items)} items scored, {stored} predictions stored; "
            f"{c.get('requests', 0)} requests, {c.get('cached', 0)} votes from the cache, "
            f"{c.get('failed_votes', 0)} failed votes; tokens {'about ' if u.get('estimated') else ''}"
            f"{u.get('prompt_tokens', 0)} in, {u.get('completion_tokens', 0)} out")


class JudgeDialog(QDialog):
    """Endpoint, model, votes, metric name, key variable and taxonomy; Run, a progress bar and Cancel."""

    runFinished = Signal(object, int)  # the JudgeResult and the number of predictions stored
    runFailed = Signal(str)

    def __init__(self, project: Project, settings: QSettings | None = None, taxonomy: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Run an LLM judge")
        self.project = project
        self.settings = settings
        self.task: BackgroundTask | None = None
        self.meter: TokenMeter | None = None
        self.last_result: JudgeResult | None = None

        self.endpoint = QLineEdit(self)
        self.endpoint.setPlaceholderText("http://127.0.0.1:8000/v1  (an OpenAI-compatible API)")
        self.model = QLineEdit(self)
        self.model.setPlaceholderText("the model's name at that endpoint")
        self.votes = QSpinBox(self)
        self.votes.setRange(1, 50)
        self.votes.setValue(5)
        self.votes.setToolTip("Each vote is one request; a label's score is the share of votes that gave it")
        self.metric_edit = QLineEdit(self)
        self.metric_edit.setPlaceholderText("the model's name")
        self.key_env = QLineEdit(DEFAULT_KEY_ENV, self)
        self.key_env.setToolTip("The name of the environment variable that holds the API key; the key itself is "
                                "never typed here or stored")
        self.key_state = QLabel(self)
        self.key_state.setTextFormat(Qt.TextFormat.PlainText)  # names a variable the user typed
        self.taxonomy = QComboBox(self)
        for tax in project.taxonomies.list():
            self.taxonomy.addItem(f"{tax.name} ({tax.id})", tax.id)
        if taxonomy is not None and self.taxonomy.findData(taxonomy) >= 0:
            self.taxonomy.setCurrentIndex(self.taxonomy.findData(taxonomy))
        self.limit = QSpinBox(self)
        self.limit.setRange(0, 10_000_000)
        self.limit.setSpecialValueText("all items")
        self.limit.setToolTip("Only the first N items the taxonomy applies to (try a judge on a few first)")
        self._restore()

        form = QFormLayout()
        form.addRow("Endpoint URL", self.endpoint)
        form.addRow("Model", self.model)
        form.addRow("Votes per item", self.votes)
        form.addRow("Metric name", self.metric_edit)
        form.addRow("API key variable", self.key_env)
        form.addRow("", self.key_state)
        form.addRow("Taxonomy", self.taxonomy)
        form.addRow("Items", self.limit)

        self.progress = QProgressBar(self)
        self._show_progress_idle("not started")
        self.tokens = QLabel("", self)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setPlaceholderText("What the run did, and any item whose votes failed, appear here.")

        self.run_button = QPushButton("Run", self)
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel run", self)
        self.cancel_button.setEnabled(False)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.clicked.connect(self.reject)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)

        note = QLabel("Nothing is sent until you press Run. Replies are kept in the project, so running the same "
                      "judge again asks nothing new.", self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.progress)
        layout.addWidget(self.tokens)
        layout.addWidget(self.log, 1)
        layout.addWidget(buttons)
        self.resize(620, 520)

        self.endpoint.textChanged.connect(lambda _t: self._update_buttons())
        self.model.textChanged.connect(lambda t: self.metric_edit.setPlaceholderText(t.strip() or "the model's name"))
        self.model.textChanged.connect(lambda _t: self._update_buttons())
        self.key_env.textChanged.connect(lambda _t: self._update_key_state())
        self._update_key_state()
        self._update_buttons()

    # --- remembered fields (never the key) -----------------------------------------------------------------
    def _restore(self) -> None:
        if self.settings is None:
            return
        self.endpoint.setText(str(self.settings.value("judge/endpoint", "") or ""))
        self.model.setText(str(self.settings.value("judge/model", "") or ""))
        self.key_env.setText(str(self.settings.value("judge/key_env", DEFAULT_KEY_ENV) or DEFAULT_KEY_ENV))
        try:
            self.votes.setValue(int(self.settings.value("judge/votes", 5)))
        except (TypeError, ValueError):
            pass

    def _remember(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("judge/endpoint", self.endpoint.text().strip())
        self.settings.setValue("judge/model", self.model.text().strip())
        self.settings.setValue("judge/key_env", self.key_env.text().strip())
        self.settings.setValue("judge/votes", self.votes.value())

    def _update_key_state(self) -> None:
        name = self.key_env.text().strip()
        if not name:
            self.key_state.setText("no variable named: requests go without a key")
        elif os.environ.get(name):
            self.key_state.setText(f"{name} is set")
        else:
            self.key_state.setText(f"{name} is not set: requests go without a key (fine for a local server)")

    def _update_buttons(self) -> None:
        running = self.task is not None and self.task.running
        ready = bool(self.endpoint.text().strip() and self.model.text().strip())
        self.run_button.setEnabled(ready and not running)
        self.cancel_button.setEnabled(running)
        for w in (self.endpoint, self.model, self.votes, self.metric_edit, self.key_env, self.taxonomy, self.limit):
            w.setEnabled(not running)

    @property
    def metric_name(self) -> str:
        return self.metric_edit.text().strip() or self.model.text().strip()

    # --- running -------------------------------------------------------------------------------------------
    def run(self) -> BackgroundTask | None:
        """Start the run off the UI thread; `runFinished` or `runFailed` follows."""
        if self.task is not None and self.task.running:
            return None
        try:
            client = JudgeClient(self.endpoint.text(), self.model.text(), api_key_env=self.key_env.text().strip())
        except AnnotatorError as exc:
            self.log.setPlainText(str(exc))
            return None
        self._remember()
        url, tax_id, votes = self.project.url, self.taxonomy.currentData(), self.votes.value()
        metric, limit = self.metric_name, self.limit.value()
        meter = self.meter = TokenMeter(client)
        self.last_result = None
        self.log.setPlainText(f"asking {client.model} at {client.endpoint}, {votes} votes per item…")
        self.tokens.setText("")
        self._show_progress_idle("waiting for the first vote…")

        def work(task: BackgroundTask) -> tuple[JudgeResult, int]:
            with Project.open(url) as project:
                tax = project.taxonomies.get(tax_id)
                items: Any = (it for it in project.items.iter_all() if it.kind in set(tax.applies_to))
                if limit:
                    items = islice(items, limit)
                result = run_judge(items, tax, meter, votes=votes, metric=metric,  # type: ignore[arg-type]
                                   cache=project.judge_cache,
                                   progress=lambda done, total: task.progressed.emit(done, total),
                                   cancel=lambda: task.cancelled)
                stored = (project.predictions.store(tax.id, metric, result.scored_items, result.predictions)
                          if result.scored_items else 0)
            return result, stored

        self.task = run_in_background(work, self._finished, self._failed, self._progressed, parent=self)
        self._update_buttons()
        return self.task

    def cancel(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.log.appendPlainText("cancelling after the requests under way…")

    def _show_progress_idle(self, words: str) -> None:
        """An empty bar that says so in words: a count like "0 of 1 votes" before the runner has counted
        anything would read as a figure."""
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(words)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setFormat(VOTES_FORMAT)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if self.meter is not None:
            self.tokens.setText(self.meter.text())

    def _finished(self, outcome: tuple[JudgeResult, int]) -> None:
        result, stored = outcome
        self.last_result = result
        self.task = None  # its own `running` flag drops only after this callback
        self._update_buttons()
        if not result.counts.get("items"):
            self._show_progress_idle("no items to judge")
        elif result.cancelled and self.progress.format() == VOTES_FORMAT:
            self.progress.setFormat(f"{VOTES_FORMAT} (cancelled)")
        elif result.cancelled:
            self._show_progress_idle("cancelled before the first vote")
        lines = [summary_line(result, stored)]
        if result.cancelled:
            lines.append("Cancelled: the items finished so far are stored and every answer is cached; press Run "
                         "again to resume.")
        if result.counts.get("skipped_items"):
            lines.append(f"{result.counts['skipped_items']} items of another kind were skipped.")
        failures = result.failures_by_item()
        if failures:
            lines.append(f"{len(failures)} items had failed votes or dropped entries:")
            for item_id, found in sorted(failures.items()):
                lines += [f"  {item_id}: vote {f.vote + 1}: {f.message}" for f in found]
        self.log.setPlainText("\n".join(lines))
        self.tokens.setText(self.meter.text() if self.meter else "")
        self.runFinished.emit(result, stored)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self._update_buttons()
        if self.progress.format() == VOTES_FORMAT:
            self.progress.setFormat(f"{VOTES_FORMAT} (stopped)")
        else:
            self._show_progress_idle("stopped before the first vote")
        self.log.appendPlainText(f"the run stopped: {exc}")
        self.runFailed.emit(str(exc))

    def reject(self) -> None:
        """Closing while a run goes on cancels it; what finished is still stored when it stops."""
        self.cancel()
        super().reject()


# --- the Metrics menu's actions -------------------------------------------------------------------------------

def open_judge_dialog(window, view=None) -> JudgeDialog | None:
    """Open (or bring back) the judge dialog for the window's project; the metric view reloads after a run."""
    if window.project is None:
        window.statusBar().showMessage("open a project first", 5000)
        return None
    dialog = getattr(window, "judge_dialog", None)
    if dialog is None or dialog.project is not window.project:
        taxonomy = window.session.taxonomy.id if window.session and window.session.taxonomy else "rift"
        dialog = JudgeDialog(window.project, window.settings.store, taxonomy, window)
        dialog.runFinished.connect(
            lambda result, _n: window.announce(Changes.of_taxonomy(result.taxonomy, predictions=True)))
        if view is not None:
            def stored(result: JudgeResult, _n: int) -> None:
                view.set_project(window.project)
                view.set_taxonomy(result.taxonomy)
                view.set_metric(result.metric)

            dialog.runFinished.connect(stored)
        window.judge_dialog = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def run_heuristics(window, view=None) -> BackgroundTask | None:
    """Score every rubric with the built-in heuristics (metric `heuristic`) off the UI thread."""
    if window.project is None:
        window.statusBar().showMessage("open a project first", 5000)
        return None
    url = window.project.url

    def work(task: BackgroundTask):
        from ..core.metric_runs import run_heuristic_metrics

        with Project.open(url) as project:
            return run_heuristic_metrics(project, progress=lambda d, t: task.progressed.emit(d, t))

    def done(summary) -> None:
        window.statusBar().showMessage(summary.line(), 10000)
        window.announce(Changes(predictions=True))
        if view is not None:
            view.set_project(window.project)

    window.statusBar().showMessage("scoring rubrics with the built-in heuristics…")
    return run_in_background(
        work, done, lambda exc: window.statusBar().showMessage(f"the heuristics failed: {exc}", 15000),
        lambda d, t: window.statusBar().showMessage(f"scoring rubrics: {d} of {t}"), parent=window)
