"""The judge dialog against a scripted OpenAI-compatible server: a run stores its predictions, a rerun asks
nothing, Cancel stops between requests and keeps what finished, nothing is sent before Run and its
confirmation (Enter in a field starts nothing), and a dead endpoint stores nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from annotator.core.store import Project
from annotator.gui.judge_dialog import JudgeDialog, open_judge_dialog, run_heuristics

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import build_project
from judge_server import (
    JudgeServer,
    answer,
    dead_endpoint,
    echo,
    hang,
    judge_items,
    judge_taxonomy,
    malformed,
)

KEY_ENV = "ANNOTATOR_TEST_JUDGE_KEY"


@pytest.fixture
def judge_project(tmp_path):
    path = build_project(tmp_path / "judge.sqlite", list(judge_items()))
    project = Project.open(path)
    project.taxonomies.add(judge_taxonomy())
    yield project
    project.close()


@pytest.fixture
def dialog_for(qtbot, tmp_path):
    def make(project: Project, server: JudgeServer, votes: int = 2) -> JudgeDialog:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        dialog = JudgeDialog(project, settings, taxonomy="mini")
        qtbot.addWidget(dialog)
        dialog.endpoint.setText(server.url)
        dialog.model.setText("tiny-judge")
        dialog.votes.setValue(votes)
        dialog.key_env.setText(KEY_ENV)
        dialog.show()
        return dialog

    return make


def press_run(qtbot, dialog: JudgeDialog):
    """Click Run as a user would and wait for the question it asks; the question box is returned."""
    dialog.confirm_box = None
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.confirm_box is not None and dialog.confirm_box.isVisible(), timeout=10_000)
    return dialog.confirm_box


def run(qtbot, dialog: JudgeDialog):
    box = press_run(qtbot, dialog)
    with qtbot.waitSignal(dialog.runFinished, timeout=30_000) as blocker:
        qtbot.mouseClick(dialog.confirm_run, Qt.MouseButton.LeftButton)
    assert not box.isVisible()
    return blocker.args


def test_run_stores_the_share_of_votes_and_reports_tokens(qtbot, judge_project, dialog_for) -> None:
    usage = {"prompt_tokens": 120, "completion_tokens": 9}
    script = [answer([{"label": "vague", "target": "criterion:c1"}, {"label": "gap"}], usage=usage),
              answer([{"label": "vague", "target": "criterion:c1"}], usage=usage)]
    with JudgeServer(script, default=answer([], usage=usage)) as server:
        dialog = dialog_for(judge_project, server)
        assert dialog.metric_name == "tiny-judge"  # the metric defaults to the model's name
        assert dialog.progress.text() == "not started"  # no count before the runner has counted anything
        result, stored = run(qtbot, dialog)
        assert len(server.requests) == 4  # two items the taxonomy applies to, two votes each
    assert result.metric == "tiny-judge" and result.scored_items == ["r1", "t1"] and stored == 2
    preds = {(p.target, p.label): p.score for p in judge_project.predictions.for_item("r1", "mini", "tiny-judge")}
    assert preds == {("criterion:c1", "vague"): 1.0, ("item", "gap"): 0.5}
    assert judge_project.predictions.metrics("mini") == ["tiny-judge"]
    assert dialog.progress.value() == dialog.progress.maximum() == 4
    assert dialog.progress.text() == "4 of 4 votes"
    assert dialog.tokens.text() == "480 tokens in, 36 out in this run"
    assert "4 requests, 0 votes from the cache" in dialog.log.toPlainText()


def test_a_second_run_makes_no_request(qtbot, judge_project, dialog_for) -> None:
    with JudgeServer(default=answer([{"label": "gap"}])) as server:
        dialog = dialog_for(judge_project, server)
        run(qtbot, dialog)
        asked = len(server.requests)
        result, stored = run(qtbot, dialog)
        assert len(server.requests) == asked == 4
    assert result.counts["requests"] == 0 and result.counts["cached"] == 4 and stored == 2
    assert "0 requests, 4 votes from the cache" in dialog.log.toPlainText()
    assert dialog.tokens.text().startswith("0 tokens in")


def test_cancel_stops_between_requests_and_a_rerun_resumes(qtbot, judge_project, dialog_for) -> None:
    with JudgeServer(default=hang(0.25)) as server:
        dialog = dialog_for(judge_project, server, votes=3)
        with qtbot.waitSignal(dialog.runFinished, timeout=30_000) as blocker:
            dialog.start()
            qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=10_000)
            assert dialog.cancel_button.isEnabled() and not dialog.run_button.isEnabled()
            assert dialog.progress.text() == f"{dialog.progress.value()} of 6 votes"
            qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        result, stored = blocker.args
        assert result.cancelled and result.counts["requests"] < 6
        first = len(server.requests)
        assert "The run was cancelled" in dialog.log.toPlainText() and "press Run again" in dialog.log.toPlainText()
        assert dialog.progress.text().endswith("of 6 votes (cancelled)")
        assert dialog.run_button.isEnabled() and not dialog.cancel_button.isEnabled()
        assert stored == len(result.predictions) == 0  # answers were empty; what finished is scored, with no label
        assert judge_project.predictions.metrics("mini") == (["tiny-judge"] if result.scored_items else [])
        again, _ = run(qtbot, dialog)
        assert not again.cancelled and again.scored_items == ["r1", "t1"]
        assert len(server.requests) == 6 and again.counts["requests"] == 6 - first


def test_failed_votes_are_reported_per_item(qtbot, judge_project, dialog_for) -> None:
    with JudgeServer([malformed()], default=answer([])) as server:
        dialog = dialog_for(judge_project, server)
        result, _ = run(qtbot, dialog)
    assert result.counts["failed_votes"] == 1
    log = dialog.log.toPlainText()
    assert "1 items had failed votes" in log and "  r1: vote 1:" in log


def test_nothing_is_sent_before_run_and_the_key_is_never_stored(qtbot, judge_project, dialog_for, tmp_path,
                                                               monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-test-secret-123")
    with JudgeServer(default=answer([])) as server:
        dialog = dialog_for(judge_project, server)
        assert f"{KEY_ENV} is set" in dialog.key_state.text()
        dialog.endpoint.setText("")
        assert not dialog.run_button.isEnabled()
        dialog.ask()
        qtbot.wait(100)
        assert server.requests == []
        dialog.endpoint.setText(server.url)
        assert dialog.run_button.isEnabled() and server.requests == []
        run(qtbot, dialog)
        assert server.requests[0]["headers"].get("Authorization") == "Bearer sk-test-secret-123"
    dialog.settings.sync()
    text = (tmp_path / "settings.ini").read_text()
    assert "sk-test-secret-123" not in text and KEY_ENV in text and "tiny-judge" in text


def test_a_bad_endpoint_is_refused_before_any_request(qtbot, judge_project, dialog_for) -> None:
    with JudgeServer(default=answer([])) as server:
        dialog = dialog_for(judge_project, server)
        dialog.endpoint.setText("ftp://example.org/v1")
        dialog.ask()
        assert dialog.start() is None and dialog.confirm_box is None
        assert "not an http(s) URL" in dialog.log.toPlainText() and server.requests == []


# --- DESIGN 10.4: ask first, never on Enter, a dead endpoint stores nothing -----------------------------------

def test_the_dialog_says_what_a_run_sends_and_asks_before_sending(qtbot, judge_project, dialog_for) -> None:
    with JudgeServer(default=answer([{"label": "gap"}])) as server:
        dialog = dialog_for(judge_project, server)
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
        assert dialog.plan_label.text() == "2 items × 2 votes: 4 requests to send"
        box = press_run(qtbot, dialog)
        assert box.text() == f"Send 4 requests to tiny-judge at {server.url}?"
        assert "Mini rubric faults (mini)" in box.informativeText()
        qtbot.wait(200)
        assert server.requests == [] and dialog.task is None  # nothing goes out while the question is open
        box.button(box.StandardButton.Cancel).click()
        qtbot.wait(200)
        assert server.requests == [] and dialog.task is None and not box.isVisible()
        run(qtbot, dialog)
        assert len(server.requests) == 4
        # the answers are cached now: the count says so, and the question too
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
        assert dialog.plan_label.text() == "2 items × 2 votes: 0 requests to send, 4 answered from the cache"
        dialog.votes.setValue(3)
        qtbot.waitUntil(lambda: dialog.plan is not None and dialog.plan.votes == 3, timeout=10_000)
        assert dialog.plan_label.text().endswith("2 requests to send, 4 answered from the cache")
        dialog.votes.setValue(2)
        box = press_run(qtbot, dialog)
        assert box.text().startswith("Every vote is already in the cache: no request goes to")
        box.button(box.StandardButton.Cancel).click()
    assert len(server.requests) == 4


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_in_a_field_starts_nothing(qtbot, judge_project, dialog_for, key) -> None:
    with JudgeServer(default=answer([])) as server:
        dialog = dialog_for(judge_project, server)
        dialog.activateWindow()
        dialog.model.setFocus()
        qtbot.keyClicks(dialog.model, "-v2")
        qtbot.keyClick(dialog.model, key)
        qtbot.keyClick(dialog.endpoint, key)
        qtbot.keyClick(dialog.votes, key)
        qtbot.wait(400)
        assert dialog.confirm_box is None and dialog.task is None and server.requests == []
        assert dialog.isVisible() and dialog.model.text() == "tiny-judge-v2"


def test_a_dead_endpoint_stores_nothing_and_says_so(qtbot, judge_project, dialog_for) -> None:
    with JudgeServer() as server:
        dialog = dialog_for(judge_project, server, votes=5)
    dialog.endpoint.setText(dead_endpoint())
    result, stored = run(qtbot, dialog)
    assert stored == 0 and result.scored_items == [] and result.counts["requests"] == 5
    assert judge_project.predictions.metrics() == [] and "tiny-judge" not in judge_project.annotators(kind="metric")
    first, second = dialog.log.toPlainText().splitlines()[:2]
    assert first.startswith("2 of 2 items not scored: 1 had every vote fail, 1 were not judged; nothing stored. "
                            "The run stopped: endpoint unreachable (5 requests in a row failed; last: cannot reach")
    assert second.startswith("metric tiny-judge: 0 of 2 items scored, nothing stored; 5 requests")
    assert dialog.progress.text() == "5 of 10 votes (stopped)"
    assert dialog.run_button.isEnabled()


def test_the_key_a_server_echoes_never_shows_in_the_dialog(qtbot, judge_project, dialog_for, monkeypatch) -> None:
    secret = "sk-dialog-secret-987654321"
    monkeypatch.setenv(KEY_ENV, secret)
    with JudgeServer(default=echo(400)) as server:
        dialog = dialog_for(judge_project, server, votes=1)
        result, stored = run(qtbot, dialog)
    assert stored == 0 and result.failed_items == ["r1", "t1"]
    log = dialog.log.toPlainText()
    assert "Bearer [redacted]" in log and secret not in log and secret not in dialog.plan_label.text()


def test_the_default_taxonomy_is_one_the_judge_can_label(qtbot, tmp_path) -> None:
    rubric, trace, caption = judge_items()
    with Project.open(build_project(tmp_path / "all.sqlite", [rubric, trace, caption])) as project:
        dialog = JudgeDialog(project)
        qtbot.addWidget(dialog)
        ids = [dialog.taxonomy.itemData(i) for i in range(dialog.taxonomy.count())]
        assert dialog.taxonomy.currentData() == "rift"
        assert ids[-2:] == ["caption_verdict", "caption_errors"]  # the judge never sees the image: last
        assert dialog.taxonomy.itemText(len(ids) - 1).endswith("(the judge does not see the images)")
    with Project.open(build_project(tmp_path / "traces.sqlite", [trace])) as project:
        dialog = JudgeDialog(project)
        qtbot.addWidget(dialog)
        ids = [dialog.taxonomy.itemData(i) for i in range(dialog.taxonomy.count())]
        assert ids == ["reasoning_errors", "step_rating"]


def test_the_window_opens_the_dialog_on_rift_not_on_the_taxonomy_being_annotated(open_window, qtbot,
                                                                                project_path) -> None:
    window = open_window(project_path)
    window.session.open_item("t1")
    window.session.set_taxonomy("step_rating")
    assert window.session.taxonomy.id == "step_rating"
    dialog = open_judge_dialog(window, window.metric_view)
    assert dialog.taxonomy.currentData() == "rift"


# --- from the main window's Metrics menu ----------------------------------------------------------------------

def test_judge_run_from_the_window_shows_up_in_the_metric_view(open_window, qtbot, tmp_path) -> None:
    path = build_project(tmp_path / "team.sqlite", list(judge_items()))
    with Project.open(path) as project:
        project.taxonomies.add(judge_taxonomy())
    window = open_window(path)
    view = window.metric_view
    assert view.taxonomy_box.count() == 0  # no metric yet
    with JudgeServer(default=answer([{"label": "gap"}])) as server:
        dialog = open_judge_dialog(window, view)
        dialog.endpoint.setText(server.url)
        dialog.model.setText("tiny-judge")
        dialog.metric_edit.setText("judge-a")
        dialog.taxonomy.setCurrentIndex(dialog.taxonomy.findData("mini"))
        dialog.votes.setValue(1)
        run(qtbot, dialog)
    assert view.taxonomy == "mini" and view.metric_id == "judge-a"
    with qtbot.waitSignal(view.reportShown, timeout=30_000):  # the figures are read once the tab is looked at
        window.tabs.setCurrentWidget(view)
    assert (view.report["taxonomy"], view.report["metric"]) == ("mini", "judge-a")
    assert open_judge_dialog(window, view) is dialog  # the same dialog comes back, fields kept


def test_built_in_heuristics_run_in_the_background(open_window, qtbot, project_path) -> None:
    window = open_window(project_path)
    task = run_heuristics(window, window.metric_view)
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass
    assert window.project.predictions.metrics("rift") == ["heuristic"]
    assert "metric heuristic: scored 2 items" in window.statusBar().currentMessage()
    assert window.metric_view.taxonomy == "rift"
