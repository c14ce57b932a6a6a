"""The metric view on the sample project: the figures on screen are the core's reports, the threshold and
epsilon controls recompute them, and a wrong answer opens its item for annotating."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.core.stats.alt_test import alt_test, explain_alt_test
from annotator.core.stats.f1 import f1_report
from annotator.core.stats.partitions import agreement_partitions
from annotator.core.store import Project
from annotator.gui.background import wait_for_all
from annotator.gui.metric_view import FIGURE_COLUMNS, MetricView

USER = Qt.ItemDataRole.UserRole


@pytest.fixture(scope="module")
def sample(module_sample) -> str:
    return module_sample


@pytest.fixture(scope="module")
def data(sample):
    with Project.open(sample) as project:
        return project.label_data("rift")


THRESHOLD, EPSILON = 0.5, 0.2  # the controls as the view opens


@pytest.fixture(scope="module")
def shared_view(qapp, sample):
    """One view on the module's sample project for the tests that only read it or move its controls: opening
    one computes and draws every figure (a second or two), which each test would otherwise pay again."""
    project = Project.open(sample)
    widget = MetricView()
    widget.resize(1300, 800)
    widget.show()
    widget.set_project(project)
    yield widget
    wait_for_all()
    widget.close()
    widget.deleteLater()
    project.close()


@pytest.fixture
def view(qtbot, shared_view):
    """The shared view with every figure computed, its threshold and epsilon as a newly opened view has them.
    The metric is whichever the last test chose: tests that need one choose it with `shown_metric`."""
    widget = shared_view
    qtbot.waitUntil(lambda: settled(widget))
    if widget.threshold != THRESHOLD:
        with qtbot.waitSignals([widget.reportShown, widget.altTestShown, widget.partitionsShown,
                                widget.anchoringShown], timeout=30_000):
            widget.set_threshold(THRESHOLD)
    if widget.epsilon != pytest.approx(EPSILON):
        with qtbot.waitSignal(widget.altTestShown, timeout=30_000):
            widget.alt_panel.epsilon.setValue(EPSILON)
    qtbot.waitUntil(lambda: settled(widget))
    assert widget.threshold == widget.report["threshold"] == THRESHOLD and widget.epsilon == pytest.approx(EPSILON)
    yield widget
    wait_for_all()


def settled(view) -> bool:
    """The figures are on screen and nothing is being computed or waiting for the controls to stop moving."""
    return (None not in (view.report, view.alt_result, view.partitions)
            and not view._timer.isActive() and not view._alt_timer.isActive()
            and not any(task.running for task in view.tasks.values()))


def shown_metric(view, qtbot, metric: str) -> None:
    """Choose `metric` and wait for its figures (a view that shows it already has them: see `view`)."""
    if view.metric_id == metric:
        return
    with qtbot.waitSignals([view.reportShown, view.altTestShown, view.partitionsShown, view.anchoringShown],
                           timeout=30_000):
        view.set_metric(metric)


def column(view, title: str) -> list:
    k = [c.title for c in FIGURE_COLUMNS].index(title)
    model = view.figures_model
    return [model.data(model.index(r, k), USER) for r in range(model.rowCount())]


def assert_figures_equal(view, report) -> None:
    labels = list(report["labels"])
    assert column(view, "label") == labels
    for title, key in (("precision", "precision"), ("recall", "recall"), ("F1", "f1"), ("support", "support"),
                       ("tp", "tp"), ("fp", "fp"), ("fn", "fn")):
        assert column(view, title) == [report["labels"][lab][key] for lab in labels], title
    ceiling = report["human_ceiling"]["labels"]
    assert column(view, "human F1") == [ceiling[lab]["f1"] for lab in labels]
    summary = view.summary.text()
    assert f"micro F1 {report['micro_f1']:.3f} (humans {report['human_ceiling']['micro_f1']:.3f})" in summary
    assert f"macro F1 {report['macro_f1']:.3f} (humans {report['human_ceiling']['macro_f1']:.3f})" in summary
    fp = [view.fp_model.row(r) for r in range(view.fp_model.rowCount())]
    fn = [view.fn_model.row(r) for r in range(view.fn_model.rowCount())]
    assert fp == report["errors"]["false_positives"] and fn == report["errors"]["false_negatives"]


def test_sample_offers_its_three_metrics_on_rift(view) -> None:
    assert view.taxonomy == "rift"
    metrics = [view.metric_box.itemData(i) for i in range(view.metric_box.count())]
    assert metrics == ["heuristic", "judge-small", "keyword-baseline"]


# heuristic first (the metric the view opens on), then the binary metric's tests, then judge-small's: each
# change of metric on the shared view computes every figure again
@pytest.mark.parametrize("metric", ["heuristic", "keyword-baseline", "judge-small"])
def test_figures_equal_f1_report(view, qtbot, data, metric) -> None:
    if view.metric_id != metric:
        shown_metric(view, qtbot, metric)
    report = f1_report(data, metric, threshold=0.5)
    assert view.report == report
    assert_figures_equal(view, report)
    text = view.figures_model.data(view.figures_model.index(0, 3))
    assert text == f"{report['labels'][next(iter(report['labels']))]['f1']:.3f}"


def test_binary_metric_says_there_is_nothing_to_calibrate(view, qtbot) -> None:
    shown_metric(view, qtbot, "keyword-baseline")
    assert view.calibration_model.rowCount() == 0
    assert "only 0/1 scores" in view.calibration_note.text()


def test_alt_test_panel_shows_alt_test(view, qtbot, data) -> None:
    shown_metric(view, qtbot, "keyword-baseline")
    panel = view.alt_panel
    expected = alt_test(data, "keyword-baseline", epsilon=0.2)
    assert panel.epsilon.value() == pytest.approx(0.2)
    assert panel.result == expected
    assert panel.explanation.text() == explain_alt_test(expected)
    assert panel.verdict.text().startswith("keyword-baseline " + ("passes" if expected["passed"] else
                                                                    "does not pass"))
    assert panel.winning_rate.text().startswith(f"{expected['winning_rate']:.2f}")
    assert panel.advantage.text() == f"{expected['advantage_probability']:.3f}"
    names = [panel.model.data(panel.model.index(r, 0)) for r in range(panel.model.rowCount())]
    assert names == [a["annotator"] for a in expected["annotators"]]
    decided = [panel.model.data(panel.model.index(r, 6)) for r in range(panel.model.rowCount())]
    assert decided == ["metric at least as good" if a["rejected"] else "human better"
                       for a in expected["annotators"]]

    with qtbot.waitSignal(view.altTestShown, timeout=30_000):
        panel.epsilon.setValue(0.05)
    strict = alt_test(data, "keyword-baseline", epsilon=0.05)
    assert panel.result == strict and panel.explanation.text() == explain_alt_test(strict)


def test_calibration_table_and_curve(view, qtbot, data) -> None:
    shown_metric(view, qtbot, "judge-small")
    report = f1_report(data, "judge-small")
    model = view.calibration_model
    rows = [model.row(r) for r in range(model.rowCount())]
    assert [r["label"] for r in rows] == list(report["labels"])
    for r in rows:
        fig = report["labels"][r["label"]]
        assert r["ece"] == fig["ece"] and r["brier"] == fig["brier"]
        assert r["units"] == sum(b[2] for b in fig["reliability"])
    axes = view.reliability_chart.figure.axes
    assert axes and axes[0].lines[0].get_xydata().tolist() == [[0, 0], [1, 1]]  # the diagonal


def test_partitions_equal_agreement_partitions(view, qtbot, data) -> None:
    shown_metric(view, qtbot, "judge-small")
    expected = agreement_partitions(data, data.metrics, threshold=0.5)
    assert view.partitions == expected
    assert view.pairs_model.rowCount() == len(expected["pairs"])
    o = expected["overall"]
    assert f"human–human {o['human_human']:.3f}" in view.partitions_summary.text()
    assert f"metric–metric {o['metric_metric']:.3f}" in view.partitions_summary.text()


def test_models_pass_the_model_tester(view, qtbot, qtmodeltester) -> None:
    shown_metric(view, qtbot, "judge-small")
    for model in (view.figures_model, view.fp_model, view.fn_model, view.calibration_model, view.pairs_model,
                  view.alt_panel.model):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


def test_labels_are_shown_by_name_with_the_id_in_a_tooltip(view, qtbot, data) -> None:
    """Tables, error lists and charts write the taxonomy's names; the rows and their values keep the ids."""
    shown_metric(view, qtbot, "judge-small")
    names = {lab.id: lab.name for lab in data.taxonomy.labels}
    model = view.figures_model
    ids = column(view, "label")
    shown = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert shown == [names[lab] for lab in ids] and "Non-atomic" in shown
    k = ids.index("non_atomic")
    assert "non_atomic" in model.data(model.index(k, 0), Qt.ItemDataRole.ToolTipRole)
    for errors in (view.fp_model, view.fn_model):
        assert errors.rowCount() > 0
        assert [errors.data(errors.index(r, 2)) for r in range(errors.rowCount())] == \
            [names[errors.row(r)["label"]] for r in range(errors.rowCount())]
    calibration = view.calibration_model
    assert calibration.data(calibration.index(0, 0)) == names[calibration.row(0)["label"]]
    ticks = [t.get_text() for t in view.f1_chart.figure.axes[0].get_xticklabels()]
    assert ticks == shown
    ticks = [t.get_text() for t in view.partitions_chart.figure.axes[0].get_xticklabels()]
    assert ticks == [names[lab] for lab in view.partitions["labels"]] + ["overall"]
    legend = [t.get_text() for t in view.reliability_chart.figure.axes[0].get_legend().get_texts()]
    assert any(text.startswith(names[calibration.row(0)["label"]] + " (ECE") for text in legend)


def test_slider_recomputes_at_the_new_threshold(view, qtbot, data) -> None:
    shown_metric(view, qtbot, "judge-small")
    before = f1_report(data, "judge-small", threshold=0.5)
    with qtbot.waitSignal(view.reportShown, timeout=30_000):
        view.slider.setValue(30)
    assert view.threshold_label.text() == "0.30"
    after = f1_report(data, "judge-small", threshold=0.3)
    assert view.report == after and after != before
    assert_figures_equal(view, after)


def test_only_the_last_of_quick_moves_is_shown(view, qtbot, data) -> None:
    shown_metric(view, qtbot, "judge-small")
    for value in (20, 35, 62, 71):
        view.slider.setValue(value)
        qtbot.wait(20)  # quicker than the debounce: only the last value is computed
    with qtbot.waitSignal(view.reportShown, timeout=30_000):
        pass
    wait_for_all()
    qtbot.wait(50)
    assert view.report["threshold"] == 0.71
    assert_figures_equal(view, f1_report(data, "judge-small", threshold=0.71))


def test_undefined_figure_shows_a_dash_and_says_why(view) -> None:
    computed = view.report
    report = dict(computed)
    lab = next(iter(report["labels"]))
    report["labels"] = {lab: dict(report["labels"][lab], precision=None,
                                  precision_reason="the metric predicted no positive")}
    try:
        view._show_report(report)
        index = view.figures_model.index(0, 1)
        assert view.figures_model.data(index) == "—"
        assert view.figures_model.data(index, Qt.ItemDataRole.ToolTipRole) == "the metric predicted no positive"
    finally:
        view._show_report(computed)  # the view is shared: the next test reads the computed figures


def test_export_html_writes_the_report_with_its_sections(view, qtbot, tmp_path) -> None:
    out = tmp_path / "f1.html"
    task = view.export_html(str(out))
    with qtbot.waitSignal(task.finished, timeout=60_000):
        pass
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Alternative annotator test" in text
    assert "Calibration" in text and "Agreement by kind of pair" in text


def test_anchoring_line_says_nothing_compares_without_suggestion_records(view, qtbot) -> None:
    if view.anchoring is None:
        with qtbot.waitSignal(view.anchoringShown, timeout=30_000):
            pass
    assert view.anchoring["metric"] == view.metric_id
    assert view.anchoring_label.text().startswith(f"Anchoring ({view.metric_id}), Cohen's kappa")
    assert "no annotator was shown this metric's suggestions" in view.anchoring_label.text()


def test_anchoring_line_compares_items_done_with_and_without_suggestions(qtbot, sample, tmp_path) -> None:
    import shutil

    from annotator.core.reports.anchoring_text import anchoring_line
    from annotator.core.stats.anchoring import anchoring_report

    path = tmp_path / "shown.sqlite"
    shutil.copy(sample, path)
    with Project.open(path) as project:
        data = project.label_data("rift")
        first = data.annotators[0]
        items = sorted(set(data.done.loc[data.done["annotator"] == first, "item_id"]))[:6]
        for item in items:
            project.suggestions.record_shown(item, "rift", first, "judge-small")
        expected = anchoring_report(data, "judge-small", project.suggestions.shown("rift"), threshold=0.5)
    project = Project.open(path)
    widget = MetricView()
    qtbot.addWidget(widget)
    widget.set_project(project)  # not on screen yet: it offers the metrics and computes nothing
    widget.set_metric("judge-small")
    assert widget.metric_id == "judge-small" and widget.report is None
    with qtbot.waitSignals([widget.reportShown, widget.anchoringShown], timeout=30_000):
        widget.show()
    try:
        assert widget.anchoring == expected
        assert expected["with"]["items"] == len(items) and expected["with"]["cohen_kappa"] is not None
        text = widget.anchoring_label.text()
        assert text == anchoring_line(expected)
        assert f"with suggestions {expected['with']['cohen_kappa']:.3f}" in text and "difference" in text
        out = tmp_path / "f1.html"
        task = widget.export_html(str(out))
        with qtbot.waitSignal(task.finished, timeout=60_000):
            pass
        assert "Anchoring: agreement with a metric" in out.read_text(encoding="utf-8")
    finally:
        wait_for_all()
        project.close()


# --- inside the main window --------------------------------------------------------------------------------------

def _metric_tab(window, qtbot) -> MetricView:
    view = window.metric_view
    assert view.stale and view.report is None and not view.tasks  # nothing is computed on a tab not yet seen
    with qtbot.waitSignal(view.reportShown, timeout=30_000):
        qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.tabs.currentWidget() is view
    return view


def test_double_clicking_a_false_positive_opens_that_item(open_window, qtbot, sample) -> None:
    window = open_window(sample)
    view = _metric_tab(window, qtbot)
    table = view.fp_table
    view.side.setCurrentWidget(table)
    row = min(3, view.fp_model.rowCount() - 1)
    wanted = view.fp_model.row(row)
    assert wanted["item_id"] != window.session.item.id or row == 0
    rect = table.visualRect(view.fp_model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.currentWidget() is view  # a single click only selects
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.currentIndex() == 0
    assert window.session.item.id == wanted["item_id"]
    assert window.session.taxonomy.id == "rift"
    assert window.session.unit == wanted["target"]


def test_enter_on_a_false_negative_opens_that_item(open_window, qtbot, sample) -> None:
    window = open_window(sample)
    view = _metric_tab(window, qtbot)
    table = view.fn_table
    view.side.setCurrentWidget(table)
    last = view.fn_model.rowCount() - 1
    wanted = view.fn_model.row(last)
    table.setFocus()
    table.setCurrentIndex(view.fn_model.index(last, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.tabs.currentIndex() == 0
    assert window.session.item.id == wanted["item_id"] and window.session.unit == wanted["target"]


def test_labels_given_in_the_app_reach_the_figures(open_window, qtbot, sample, tmp_path) -> None:
    """A label given while the view is hidden marks it stale; showing it again reads the labels anew."""
    import shutil

    copy = tmp_path / "copy.sqlite"
    shutil.copy(sample, copy)
    window = open_window(str(copy))
    view = _metric_tab(window, qtbot)
    window.tabs.setCurrentIndex(0)
    old = view.data
    window.session.set_done(not window.session.is_done())
    assert view.stale
    with qtbot.waitSignal(view.dataLoaded, timeout=30_000):
        window.tabs.setCurrentWidget(view)
    assert not view.stale and view.data is not old
    assert len(view.data.done) != len(old.done)


def test_chart_marks_every_defined_human_ceiling(view) -> None:
    """The chart shows a diamond for every label whose human ceiling is defined."""
    ax = view.f1_chart.figure.axes[0]
    marks = [c for c in ax.collections if len(c.get_offsets())]
    defined = [r for r in column(view, "human F1") if r is not None]
    assert len(marks[0].get_offsets()) == len(defined)


def test_the_human_ceiling_says_it_is_pooled_over_the_units_each_finished(view, data) -> None:
    """DESIGN 10.4: the ceiling on screen is the pooled one, and the view says what it rests on."""
    report = f1_report(data, view.metric_id)
    people = report["human_ceiling"]["annotators"]
    total = sum(e["units"] for e in people.values())
    assert f"humans: {len(people)} annotators pooled over the {total} units they finished" in view.summary.text()
    k = [c.title for c in FIGURE_COLUMNS].index("human F1")
    tip = view.figures_model.headerData(k, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "units they finished" in tip and "added up over the annotators" in tip
