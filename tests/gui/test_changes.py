"""The app-wide change signal: a label given in the Annotate tab reaches the analysis tabs, which mark their
figures stale and recompute them, greyed meanwhile, when they are looked at again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.gui.changes import Changes

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(scope="module")
def sample_path(module_sample) -> str:
    return module_sample


def agreement_on_screen(qtbot, open_window, path: str):
    """The main window on `path` with its Agreement tab computed (no intervals: quicker)."""
    window = open_window(path, annotator="alice")
    view = window.agreement_view
    view.resamples.setValue(0)
    with qtbot.waitSignal(view.computed, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_A, CTRL_SHIFT)
    return window, view


def test_agreement_tab_goes_stale_after_a_label_in_the_annotate_tab(qtbot, open_window, sample_path):
    window, view = agreement_on_screen(qtbot, open_window, sample_path)
    assert view.taxonomy.id == "rift" and not view.stale
    before = view.report
    window.tabs.setCurrentIndex(0)
    seen: list[Changes] = []
    window.operationExecuted.connect(seen.append)
    s = window.session
    for _ in range(60):  # a rubric alice has not finished
        if s.item.kind == "rubric" and not s.is_done():
            break
        qtbot.keyClick(window, "n")
    assert s.item.kind == "rubric" and s.taxonomy.id == "rift"
    qtbot.keyClick(window, "1")
    assert seen and seen[-1].labels and seen[-1].taxonomies == frozenset({"rift"})
    assert view.stale and "Labels changed" in view.summary.text()
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # done: it counts now
    assert seen[-1].done
    with qtbot.waitSignal(view.computed, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_A, CTRL_SHIFT)  # back on the tab: recomputed at once
        assert not view.tabs.isEnabled() and not view.overall.isEnabled()  # old figures greyed meanwhile
    assert not view.stale and view.tabs.isEnabled() and view.overall.isEnabled()
    assert view.report != before


def test_a_label_in_another_taxonomy_leaves_the_figures_alone(qtbot, open_window, sample_path):
    window, view = agreement_on_screen(qtbot, open_window, sample_path)
    window.tabs.setCurrentIndex(0)
    window.announce(Changes.of_taxonomy("step_rating", labels=True))
    window.announce(Changes.of_taxonomy("rift", notes=True))
    assert not view.stale


def test_metric_tab_greys_its_figures_while_it_recomputes(qtbot, open_window, sample_path):
    window = open_window(sample_path, annotator="alice")
    view = window.metric_view
    with qtbot.waitSignal(view.reportShown, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_M, CTRL_SHIFT)
    assert view.body.isEnabled()
    window.tabs.setCurrentIndex(0)
    window.announce(Changes.of_taxonomy("rift", labels=True))
    assert view.stale
    with qtbot.waitSignal(view.reportShown, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_M, CTRL_SHIFT)
        assert not view.body.isEnabled()
    assert view.body.isEnabled() and not view.stale
