"""Settings, the start-up choice of project, the background helper and the small text helpers."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings

from annotator.core.answers import AnswerMatch, compare_answers
from annotator.gui.app import SAMPLE, choose_project
from annotator.gui.background import Cancelled, run_in_background
from annotator.gui.settings import MAX_RECENT, AppSettings
from annotator.gui.text import from_qt_offset, plain_label, to_qt_offset


def test_settings_remember_name_and_recent_projects(tmp_path):
    ini = str(tmp_path / "s.ini")
    prefs = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
    assert prefs.annotator == "" and prefs.recent_projects() == [] and prefs.last_project is None
    prefs.annotator = "  dana "
    for i in range(MAX_RECENT + 3):
        prefs.add_recent(str(tmp_path / f"p{i}.sqlite"))
    prefs.add_recent(str(tmp_path / "p5.sqlite"))
    again = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
    assert again.annotator == "dana"
    recent = again.recent_projects()
    assert len(recent) == MAX_RECENT and recent[0].endswith("p5.sqlite") and recent.count(recent[0]) == 1
    assert again.last_project == recent[0]
    again.forget(recent[0])
    assert again.last_project is None and len(again.recent_projects()) == MAX_RECENT - 1


def test_start_up_choice(tmp_path, settings):
    assert choose_project(settings, None, False) == (SAMPLE, False)  # the first run opens the sample
    assert choose_project(settings, None, True) == (SAMPLE, False)
    assert choose_project(settings, "given.sqlite", False) == ("given.sqlite", False)
    there = tmp_path / "there.sqlite"
    there.write_bytes(b"")
    settings.add_recent(str(there))
    assert choose_project(settings, None, False) == (str(there), False)  # then the last project
    there.unlink()
    assert choose_project(settings, None, False, ask=False) is None  # a vanished one needs the picker


def test_background_work_reports_on_the_ui_thread(qtbot):
    ui = threading.get_ident()
    seen = {}

    def work(task):
        seen["worker"] = threading.get_ident()
        task.progress(1, 2)
        return 42

    task = run_in_background(work, lambda r: seen.update(result=r, thread=threading.get_ident()),
                             on_progress=lambda d, t: seen.update(progress=(d, t)))
    qtbot.waitUntil(lambda: "result" in seen and not task.running, timeout=5000)
    assert seen["result"] == 42 and seen["thread"] == ui and seen["worker"] != ui
    assert seen["progress"] == (1, 2)

    errors = []
    task = run_in_background(lambda t: 1 / 0, on_failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)

    gate = threading.Event()

    def slow(task):
        gate.wait(5)
        task.progress(1, 1)
        return "finished anyway"

    results, failures = [], []
    task = run_in_background(slow, results.append, failures.append)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not task.running, timeout=5000)
    assert results == [] and isinstance(failures[0], Cancelled)


@pytest.mark.parametrize("text", ["plain", "a\u00e9b", "x\U0001F600y z", "\U0001F600\U0001F600end"])
def test_offsets_round_trip_through_utf16(text):
    for i in range(len(text) + 1):
        assert from_qt_offset(text, to_qt_offset(text, i)) == i
    assert to_qt_offset(text, len(text)) == len(text.encode("utf-16-le")) // 2


def test_answers_differing_in_presentation_only_are_equivalent():
    assert compare_answers("4", "4.") is AnswerMatch.EQUIVALENT
    assert compare_answers("\\boxed{x = 2}", "X = 2") is AnswerMatch.EQUIVALENT
    assert compare_answers("$144$", "144") is AnswerMatch.EQUIVALENT
    assert compare_answers("3", "4") is AnswerMatch.NO_MATCH
    assert compare_answers("", "4") is AnswerMatch.NOT_COMPARABLE
    assert compare_answers("4", None) is AnswerMatch.NOT_COMPARABLE


def test_plain_label_does_not_render_html(qtbot):
    label = plain_label("<b>bold?</b>")
    qtbot.addWidget(label)
    assert label.textFormat().name == "PlainText" and label.text() == "<b>bold?</b>"


def test_the_sample_project_is_built_off_the_ui_thread_and_opened(qtbot, settings, tmp_path, monkeypatch):
    from annotator.gui.main_window import MainWindow

    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    window = MainWindow(settings, "erin")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.projectOpened, timeout=60_000):
        window.open_sample()
    assert (tmp_path / "home" / "sample.sqlite").exists()
    kinds = {window.item_list.model.summary(r).kind for r in range(window.item_list.model.rowCount())}
    assert kinds == {"rubric", "caption", "trace"}
    assert settings.last_project.endswith("sample.sqlite")
    window.close()
