"""Suggestions: a metric's predictions on the selected unit as chips; `a` accepts them as the annotator's own
labels; nothing is stored until then; seeing them is recorded per (item, taxonomy, annotator)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.core.model import Prediction
from annotator.core.store import Project


def _with_predictions(path: str) -> None:
    with Project.open(path) as project:
        project.predictions.store("rift", "judge", ["r1", "r2"], [
            Prediction(item_id="r1", taxonomy="rift", metric="judge", target="criterion:c1", label="subjective",
                       score=0.9),
            Prediction(item_id="r1", taxonomy="rift", metric="judge", target="criterion:c1", label="hackable",
                       score=0.2),  # below the threshold: never suggested
            Prediction(item_id="r1", taxonomy="rift", metric="judge", target="criterion:c3", label="hackable",
                       score=0.8),
            Prediction(item_id="r1", taxonomy="rift", metric="judge", target="item", label="low_signal",
                       score=0.7),
        ])


def _labels(path: str) -> set[tuple[str, str, str]]:
    with Project.open(path) as project:
        data = project.db
        from sqlalchemy import select

        from annotator.core.store.tables import LABEL
        with data.read() as conn:
            return {(r.item_id, r.target, r.label) for r in conn.execute(
                select(LABEL.c.item_id, LABEL.c.target, LABEL.c.label).where(LABEL.c.annotator == "alice"))}


def test_accepting_suggestions_stores_them_and_nothing_else(qtbot, open_window, project_path):
    _with_predictions(project_path)
    window = open_window(project_path)
    bar = window.suggestions
    assert window.session.item.id == "r1" and window.session.taxonomy.id == "rift"
    assert bar.isVisible()
    assert bar.metric.count() == 2  # no suggestions, judge
    # suggestions are off until a metric is picked: nothing recorded, nothing shown
    assert bar.suggestions == []
    with Project.open(project_path) as project:
        assert not project.suggestions.was_shown("r1", "rift", "alice")
    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # Shift+A: the next source
    assert bar.chosen == "judge" and bar.metric.currentIndex() == 1
    # criterion c1 is selected: subjective (0.9) on it and low_signal (0.7) on the rubric; hackable 0.2 is not
    assert sorted(s.label.id for s in bar.suggestions) == ["low_signal", "subjective"]
    assert _labels(project_path) == set()  # shown, not stored
    with Project.open(project_path) as project:
        assert project.suggestions.was_shown("r1", "rift", "alice")
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert _labels(project_path) == {("r1", "criterion:c1", "subjective"), ("r1", "item", "low_signal")}
    assert bar.suggestions == []
    # one undo takes both back
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _labels(project_path) == set()
    # the suggestion on c3 shows once c3 is selected; moving on without `a` stores nothing
    qtbot.keyClick(window, Qt.Key.Key_J)
    qtbot.keyClick(window, Qt.Key.Key_J)
    assert window.session.unit == "criterion:c3"
    assert "hackable" in [s.label.id for s in bar.suggestions]
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.session.item.id == "r2"
    assert _labels(project_path) == set()


def test_a_without_suggestions_says_so(qtbot, open_window, project_path):
    window = open_window(project_path)
    assert not window.suggestions.isVisible()  # no metric has predictions here
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert "no suggestions" in window.statusBar().currentMessage()
    assert _labels(project_path) == set()
