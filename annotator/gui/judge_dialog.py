"""Running metrics from the app: an LLM judge over an OpenAI-compatible endpoint, and the built-in heuristics.

The dialog never makes a request on its own: it shows how many requests a run would send (items x votes, less
the votes already cached in the project), and nothing leaves the machine until the user presses Run and then
confirms that count. Enter in a field starts nothing. The API key is not a field: the user names the
environment variable that holds it, and the client reads it at request time, so the key is never typed into,
shown by, or stored by the app. Replies are cached in the project, so running the same judge again costs
nothing, and a cancelled or stopped run resumes for free.
"""

from __future__ import annotations

import os
import threading
from itertools import islice
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import AnnotatorError
from ..core.judge import (JudgeClient, JudgePlan, JudgeResult, judgeable, plan_judge, reads_in_part, run_judge,
                          store_result)
from ..core.store import Project
from .background import BackgroundTask, run_in_background
from .changes import Changes

DEFAULT_KEY_ENV = "ANNOTATOR_JUDGE_API_KEY"
CHARS_PER_TOKEN = 4
VOTES_FORMAT = "%v of %m votes"
PLAN_DELAY_MS = 250  # typing in the model field recounts the cached votes once the typing pauses


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


def report_lines(result: JudgeResult, stored: int) -> list[str]:
    """What a finished run tells the user, the plain outcome first and the per-vote detail after."""
    lines = [result.unscored_line() + "." if result.unscored else "Every item got a score.", result.summary(stored)]
    if result.cancelled:
        lines.append("The items finished so far are stored and every answer is cached; press Run again to resume.")
    elif result.unscored:
        lines.append("Every answer received is cached: run again once the endpoint answers, and only what is "
                     "missing is asked.")
    if result.counts.get("skipped_items"):
        lines.append(f"{result.counts['skipped_items']} items of another kind were skipped.")
    failures = result.failure_lines()
    if failures:
        lines.append(f"{len(result.failures_by_item())} items had failed votes or dropped entries:")
        lines += ["  " + line for line in failures]
    return lines


class JudgeDialog(QDialog):
    """Endpoint, model, votes, metric name, key variable and taxonomy; the requests a run would send; Run (which
    asks first), a progress bar and Cancel."""

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
        self.plan: JudgePlan | None = None
        self.confirm_box: QMessageBox | None = None
        self.confirm_run: QPushButton | None = None
        self._plan_fields: tuple | None = None
        self._plan_asked = 0  # each recount is numbered, so a late answer for old fields is dropped
        self._confirm_when_planned = False

        self.endpoint = QLineEdit(self)
        self.endpoint.setPlaceholderText("http://127.0.0.1:8000/v1  (an OpenAI-compatible API)")
        self.model = QLineEdit(self)
        self.model.setPlaceholderText("the model's name at that endpoint")
        self.votes = QSpinBox(self)
        self.votes.setRange(1, 50)
        self.votes.setValue(5)
        self.votes.setToolTip("Each vote is one request; a label's score is the share of the answered votes that "
                              "gave it")
        self.metric_edit = QLineEdit(self)
        self.metric_edit.setPlaceholderText("the model's name")
        self.key_env = QLineEdit(DEFAULT_KEY_ENV, self)
        self.key_env.setToolTip("The name of the environment variable that holds the API key; the key itself is "
                                "never typed here or stored")
        self.key_state = QLabel(self)
        self.key_state.setTextFormat(Qt.TextFormat.PlainText)  # names a variable the user typed
        self.taxonomy = QComboBox(self)
        self._fill_taxonomies(taxonomy)
        self.limit = QSpinBox(self)
        self.limit.setRange(0, 10_000_000)
        self.limit.setSpecialValueText("all items")
        self.limit.setToolTip("Only the first N items the taxonomy applies to (try a judge on a few first)")
        self.plan_label = QLabel(self)
        self.plan_label.setTextFormat(Qt.TextFormat.PlainText)
        self.plan_label.setWordWrap(True)
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
        form.addRow("Requests", self.plan_label)

        self.progress = QProgressBar(self)
        self._show_progress_idle("not started")
        self.tokens = QLabel("", self)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setPlaceholderText("What the run did, and any item whose votes failed, appear here.")

        # No default button: Enter in a field must never start a run that sends requests.
        self.run_button = QPushButton("&Run…", self)
        self.cancel_button = QPushButton("Cancel run", self)
        self.cancel_button.setEnabled(False)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.run_button, self.cancel_button, self.close_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.run_button.clicked.connect(self.ask)
        self.cancel_button.clicked.connect(self.cancel)

        note = QLabel("Nothing is sent until you press Run and confirm. Replies are kept in the project, so "
                      "running the same judge again asks nothing new.", self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.progress)
        layout.addWidget(self.tokens)
        layout.addWidget(self.log, 1)
        layout.addWidget(buttons)
        self.resize(620, 560)

        self._plan_timer = QTimer(self)
        self._plan_timer.setSingleShot(True)
        self._plan_timer.setInterval(PLAN_DELAY_MS)
        self._plan_timer.timeout.connect(self._recount)
        self.endpoint.textChanged.connect(lambda _t: self._update_buttons())
        self.model.textChanged.connect(lambda t: self.metric_edit.setPlaceholderText(t.strip() or "the model's name"))
        self.model.textChanged.connect(lambda _t: self._fields_changed())
        self.votes.valueChanged.connect(lambda _v: self._fields_changed())
        self.limit.valueChanged.connect(lambda _v: self._fields_changed())
        self.taxonomy.currentIndexChanged.connect(lambda _i: self._fields_changed())
        self.key_env.textChanged.connect(lambda _t: self._update_key_state())
        self._update_key_state()
        self._fields_changed()

    # --- which taxonomies the judge can label ---------------------------------------------------------------
    def _fill_taxonomies(self, wanted: str | None) -> None:
        """Only the taxonomies that apply to this project's items; the caller's choice, else the first (RIFT in
        a rubric project). The taxonomy being annotated is not a hint: it may be one the judge cannot label."""
        counts = self.project.items.counts_by_kind()
        for tax in judgeable(self.project.taxonomies.list(), counts):
            note = "  (the judge does not see the images)" if reads_in_part(tax, counts) else ""
            self.taxonomy.addItem(f"{tax.name} ({tax.id}){note}", tax.id)
        if wanted is not None and self.taxonomy.findData(wanted) >= 0:
            self.taxonomy.setCurrentIndex(self.taxonomy.findData(wanted))

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
        ready = bool(self.endpoint.text().strip() and self.model.text().strip() and self.taxonomy.count())
        self.run_button.setEnabled(ready and not running)
        self.cancel_button.setEnabled(running)
        for w in (self.endpoint, self.model, self.votes, self.metric_edit, self.key_env, self.taxonomy, self.limit):
            w.setEnabled(not running)

    @property
    def metric_name(self) -> str:
        return self.metric_edit.text().strip() or self.model.text().strip()

    # --- how many requests a run would send ------------------------------------------------------------------
    def _fields(self) -> tuple:
        return (self.taxonomy.currentData(), self.model.text().strip(), self.votes.value(), self.limit.value())

    def _fields_changed(self) -> None:
        self._update_buttons()
        if self.plan is not None and self._plan_fields == self._fields():
            return
        self.plan = None
        if not self.taxonomy.count():
            self.plan_label.setText("no taxonomy of this project applies to its items")
            return
        self.plan_label.setText("counting…")
        self._plan_timer.start()

    def _recount(self) -> None:
        """Count the items and the cached votes off the UI thread (a big project has many items to hash)."""
        fields = self._fields()
        tax_id, model, votes, limit = fields
        if tax_id is None:
            return
        self._plan_asked += 1
        asked, url = self._plan_asked, self.project.url

        def work(_task: BackgroundTask) -> JudgePlan:
            with Project.open(url) as project:
                tax = project.taxonomies.get(tax_id)
                return plan_judge(project.items.iter_all(), tax, model, votes, project.judge_cache, limit)

        def done(plan: JudgePlan) -> None:
            if asked != self._plan_asked:
                return  # the fields changed while counting; a newer count is on its way
            self.plan, self._plan_fields = plan, fields
            self.plan_label.setText(plan.line() if model else f"{plan.items:,} items × {votes} votes (name the "
                                    "model to count what the cache already holds)")
            if self._confirm_when_planned:
                self._confirm_when_planned = False
                self._confirm(plan)

        def failed(exc: BaseException) -> None:
            if asked == self._plan_asked:
                self._confirm_when_planned = False
                self.plan_label.setText(f"cannot count the requests: {exc}")

        run_in_background(work, done, failed, parent=self)

    # --- running -------------------------------------------------------------------------------------------
    def _client(self) -> JudgeClient | None:
        try:
            return JudgeClient(self.endpoint.text(), self.model.text(), api_key_env=self.key_env.text().strip())
        except AnnotatorError as exc:
            self.log.setPlainText(str(exc))
            return None

    def ask(self) -> None:
        """Run pressed: check the fields, then show what the run would send and ask before sending it."""
        if (self.task is not None and self.task.running) or self._client() is None or not self.taxonomy.count():
            return
        if self.plan is not None and self._plan_fields == self._fields():
            self._confirm(self.plan)
        else:
            self._confirm_when_planned = True
            self._plan_timer.stop()
            self._recount()

    def _confirm(self, plan: JudgePlan) -> None:
        client = self._client()
        if client is None:
            return
        if plan.requests:
            question = f"Send {plan.requests:,} requests to {client.model} at {client.endpoint}?"
        else:
            question = f"Every vote is already in the cache: no request goes to {client.endpoint}. Score now?"
        box = QMessageBox(QMessageBox.Icon.Question, "Run the judge?", question, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(f"{self.taxonomy.currentText()}: {plan.line()}. The predictions are stored as "
                               f"metric {self.metric_name!r}.")
        self.confirm_run = box.addButton("&Run", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        self.confirm_run.clicked.connect(lambda _checked=False: self.start())
        self.confirm_box = box
        box.open()

    def start(self) -> BackgroundTask | None:
        """Start the run off the UI thread, without asking (the confirmation calls this); `runFinished` or
        `runFailed` follows."""
        if self.task is not None and self.task.running:
            return None
        client = self._client()
        if client is None:
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
                return result, store_result(project, result)

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
        ended = "cancelled" if result.cancelled else "stopped" if result.stopped else ""
        if not result.counts.get("items"):
            self._show_progress_idle("no items to judge")
        elif ended and self.progress.format() == VOTES_FORMAT:
            self.progress.setFormat(f"{VOTES_FORMAT} ({ended})")
        elif ended:
            self._show_progress_idle(f"{ended} before the first vote")
        self.log.setPlainText("\n".join(report_lines(result, stored)))
        self.tokens.setText(self.meter.text() if self.meter else "")
        self.plan = None  # the cache holds new answers: count again
        self._fields_changed()
        self.runFinished.emit(result, stored)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self._update_buttons()
        if self.progress.format() == VOTES_FORMAT:
            self.progress.setFormat(f"{VOTES_FORMAT} (stopped)")
        else:
            self._show_progress_idle("stopped before the first vote")
        self.log.appendPlainText(f"the run stopped, nothing stored: {exc}")
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
        # the dialog picks a taxonomy the judge can label, not the one being annotated (Step rating, say)
        dialog = JudgeDialog(window.project, window.settings.store, None, window)
        dialog.runFinished.connect(  # a run that scored nothing stored nothing: no change to announce
            lambda result, _n: result.scored_items and window.announce(
                Changes.of_taxonomy(result.taxonomy, predictions=True)))
        if view is not None:
            def stored(result: JudgeResult, _n: int) -> None:
                if not result.scored_items:
                    return  # nothing was stored: the view has nothing new to show
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
