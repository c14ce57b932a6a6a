"""The agreement view on the sample project: figures equal the core's report, models pass Qt's checks, charts
draw undefined values as dashes, the list of disagreements filters by label, exports write files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from annotator.core.stats.agreement import agreement_report
from annotator.core.stats.disagreements import disagreements
from annotator.core.store import Project
from annotator.core.stats.registry import figure
from annotator.gui.agreement_tables import LABEL_COLUMNS, label_rows
from annotator.gui.agreement_view import AgreementView
from annotator.gui.background import wait_for_all
from annotator.gui.charts import ChartCanvas, bar_with_intervals, grouped_bars, heatmap
from annotator.gui.report_models import (
    SORT_ROLE,
    UNDEFINED,
    Column,
    DisagreementFilter,
    DisagreementModel,
    RecordTableModel,
    sortable,
)

RESAMPLES = 100


@pytest.fixture(scope="module")
def sample_path(module_sample) -> str:
    return module_sample


@pytest.fixture
def project(sample_path):
    with Project.open(sample_path) as p:
        yield p


@pytest.fixture
def view(qtbot, project):
    v = AgreementView()
    qtbot.addWidget(v)
    v.resize(1300, 850)
    v.resamples.setValue(RESAMPLES)
    v.bind(project, "alice")
    yield v
    v.cancel()
    wait_for_all()


def computed(qtbot, view: AgreementView, taxonomy: str | None = None) -> dict:
    if taxonomy is not None and view.taxonomy_box.currentData() != taxonomy:
        view.set_taxonomy(taxonomy)
    with qtbot.waitSignal(view.computed, timeout=30_000):
        assert view.compute() is not None
    return view.report


def column_of(model, title: str) -> int:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())].index(title)


def test_view_figures_equal_the_core_report(qtbot, view, project):
    assert view.taxonomy.id == "rift"
    chosen = view.chosen_annotators()
    humans = set(project.annotators("human"))
    data = project.label_data("rift")
    assert chosen == [a for a in data.annotators if a in humans] and len(chosen) >= 2
    report = computed(qtbot, view)
    direct = agreement_report(data, chosen, n_boot=RESAMPLES, seed=0)
    assert report == direct
    # the table shows the same numbers, label by label, in the taxonomy's order
    model = view.label_model
    alpha_col = column_of(model, "Krippendorff's α")
    for row, label in enumerate(direct["labels"]):
        entry = direct["labels"][label]
        shown = model.data(model.index(row, alpha_col))
        assert shown.startswith(f"{entry['krippendorff_alpha']:.3f}")
        lo, hi = entry["krippendorff_alpha_ci"]
        assert f"[{lo:.2f}, {hi:.2f}]" in shown
    card = view.cards["krippendorff_alpha"]
    assert card.value.text() == f"{direct['overall']['krippendorff_alpha']:.3f}"
    assert not view.cards["krippendorff_alpha_ordinal"].isVisible()
    assert view.rows == disagreements(data, chosen)
    assert view.disagreement_model.rowCount() == len(view.rows) > 0


def test_fewer_annotators_recompute_for_the_chosen_ones(qtbot, view, project):
    first = view.chosen_annotators()[:2]
    view.set_annotators(first)
    report = computed(qtbot, view)
    assert report["annotators"] == first
    direct = agreement_report(project.label_data("rift"), first, n_boot=RESAMPLES, seed=0)
    assert report["overall"] == direct["overall"]
    assert len(report["pairs"]) == 1
    view.set_annotators(first[:1])
    assert view.compute() is None and "two annotators" in view.summary.text()


def test_undefined_figures_show_a_dash_with_the_reason(qtbot, view, project):
    report = computed(qtbot, view, "caption_verdict")
    assert report["choice"] == "single"
    assert view.cards["krippendorff_alpha_ordinal"].isVisibleTo(view)
    undefined = [(lab, e) for lab, e in report["labels"].items() if e["cohen_kappa_mean"] is None]
    assert undefined, "the sample's not_applicable label has no variation"
    label, entry = undefined[0]
    model = view.label_model
    row = list(report["labels"]).index(label)
    col = column_of(model, figure("cohen_kappa_mean").title)
    index = model.index(row, col)
    assert model.data(index) == UNDEFINED
    assert entry["cohen_kappa_mean_reason"] in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.data(index, SORT_ROLE) == -math.inf


def test_per_label_table_sorts_by_number(qtbot, view):
    report = computed(qtbot, view)
    proxy, table = view.label_proxy, view.label_table
    col = column_of(view.label_model, "Krippendorff's α")
    table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    shown = [proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    by_alpha = sorted(report["labels"].items(), key=lambda kv: -(kv[1]["krippendorff_alpha"] or -math.inf))
    names = {lab.id: lab.name for lab in view.taxonomy.labels}
    assert shown == [names[lab] for lab, _ in by_alpha]


def test_disagreements_filter_by_label_and_by_settled(qtbot, view, project):
    computed(qtbot, view)
    label = "subjective"
    view.filter_label.setCurrentIndex(view.filter_label.findData(label))
    expected = [d for d in view.rows if any(label in given for given in d["labels"].values())]
    assert 0 < view.disagreement_filter.rowCount() == len(expected) < len(view.rows)
    assert sorted(view.visible_disagreements(), key=str) == sorted(expected, key=str)
    assert view.disagreement_count.text().startswith(f"{len(expected)} shown of {len(view.rows)}")
    view.filter_label.setCurrentIndex(0)
    assert view.disagreement_filter.rowCount() == len(view.rows)


def test_charts_follow_the_report(qtbot, view):
    report = computed(qtbot, view)
    heat = view.pair_chart.figure.axes[0]
    texts = [t.get_text() for t in heat.texts]
    for pair in report["pairs"]:
        assert f"{pair['cohen_kappa']:.2f}" in texts
    bars = view.label_chart.figure.axes[0].patches
    assert len(bars) == len(report["labels"])
    first = report["labels"][next(iter(report["labels"]))]["krippendorff_alpha"]
    assert bars[0].get_width() == pytest.approx(first)
    # the confusion matrix of the chosen pair and label is the report's
    view.tabs.setCurrentIndex(3)
    view.pair_box.setCurrentIndex(0)
    view.confusion_label.setCurrentIndex(view.confusion_label.findData("subjective"))
    matrix, names, a, b = view.confusion_matrix()
    assert matrix == report["confusion"][f"{a}|{b}"]["by_label"]["subjective"]
    assert names == ["absent", "present"]
    prevalence = view.prevalence_chart.figure.axes[0]
    assert len(prevalence.patches) == len(report["labels"]) * len(report["annotators"])


def test_span_agreement_tab_shows_span_labels(qtbot, view):
    report = computed(qtbot, view, "reasoning_errors")
    assert report["spans"], "the sample has span labels on traces"
    assert view.tabs.isTabVisible(view.spans_index)
    assert view.span_model.rowCount() == len(report["spans"])
    report = computed(qtbot, view, "rift")
    assert not view.tabs.isTabVisible(view.spans_index)


def test_cancel_stops_the_computation(qtbot, view):
    view.resamples.setValue(20000)
    task = view.compute()
    assert task is not None and view.cancel_button.isVisibleTo(view)
    got = []
    view.computed.connect(lambda: got.append(True))
    view.cancel()
    assert task.cancelled
    wait_for_all()
    qtbot.wait(50)
    assert not got and view.report is None
    assert view.compute_button.isEnabled() and view.summary.text() == "Cancelled."


def test_exports_write_html_and_csv(qtbot, view, tmp_path):
    report = computed(qtbot, view)
    html = view.export_html(tmp_path / "agreement.html")
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") or "<html" in text[:200]
    assert "Disagreements" in text and "<svg" in text
    written = view.export_csv(tmp_path / "agreement.csv")
    assert [p.name for p in written] == ["agreement.csv", "agreement-disagreements.csv"]
    for path in written:  # the same line ends as the labels export
        raw = path.read_bytes()
        assert raw.count(b"\r\n") == raw.count(b"\n") > 1
    table = pd.read_csv(written[0])
    assert list(table["label"]) == [*report["labels"], "OVERALL"]
    assert np.allclose(table["krippendorff_alpha"].iloc[:-1],
                       [e["krippendorff_alpha"] for e in report["labels"].values()])
    assert table["krippendorff_alpha"].iloc[-1] == pytest.approx(report["overall"]["krippendorff_alpha"])
    assert table["masi_alpha"].iloc[-1] == pytest.approx(report["overall"]["masi_alpha"])
    listed = pd.read_csv(written[1], keep_default_na=False)
    assert len(listed) == len(view.rows)
    assert list(listed.columns) == ["item_id", "target", *report["annotators"], "gold", "settled"]
    first = view.rows[0]
    for who in report["annotators"]:
        assert listed[who].iloc[0] == ";".join(first["labels"][who])


def test_record_model_passes_qt_model_checks(qtmodeltester, qtbot, view):
    report = computed(qtbot, view, "caption_verdict")
    model = RecordTableModel(LABEL_COLUMNS, label_rows(report, view.taxonomy))
    qtmodeltester.check(model)
    qtmodeltester.check(sortable(model))
    qtmodeltester.check(RecordTableModel([Column("a", "A", "text")]))


def test_disagreement_models_pass_qt_model_checks(qtmodeltester, qtbot, view):
    computed(qtbot, view)
    model = DisagreementModel()
    model.set_disagreements(view.rows, view.report["annotators"], {"subjective": "Subjective"},
                            {(view.rows[0]["item_id"], view.rows[0]["target"]): ("subjective",)})
    qtmodeltester.check(model)
    proxy = DisagreementFilter()
    proxy.setSourceModel(model)
    proxy.set_label("subjective")
    qtmodeltester.check(proxy)
    proxy.set_open_only(True)
    assert all(model.gold_of(proxy.mapToSource(proxy.index(r, 0)).row()) is None for r in range(proxy.rowCount()))


def test_chart_helpers_draw_undefined_values_as_dashes(qtbot):
    canvas = ChartCanvas()
    qtbot.addWidget(canvas)
    canvas.draw(lambda fig: heatmap(fig.add_subplot(), [[1.0, None], [None, 0.25]], ["a", "b"]))
    texts = [t.get_text() for t in canvas.figure.axes[0].texts]
    assert texts == ["1.00", "—", "—", "0.25"]
    canvas.draw(lambda fig: bar_with_intervals(fig.add_subplot(), ["x", "y"], [0.4, None], [[0.2, 0.6], None]))
    ax = canvas.figure.axes[0]
    assert [p.get_visible() for p in ax.patches] == [True, False]
    assert any("undefined" in t.get_text() for t in ax.texts)
    canvas.draw(lambda fig: grouped_bars(fig.add_subplot(), ["x", "y"], {"ann": [0.1, 0.2], "ben": [None, None]}))
    legend = canvas.figure.axes[0].get_legend()
    assert legend is None  # one series with values: nothing to tell apart
    canvas.draw(lambda fig: 1 / 0)
    assert "could not draw" in canvas.figure.texts[0].get_text()


def test_main_window_opens_the_view_with_ctrl_shift_a(qtbot, open_window, sample_path):
    window = open_window(sample_path)
    view = window.agreement_view
    assert view.project is window.project
    with qtbot.waitSignal(view.computed, timeout=30_000):
        qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.tabs.currentWidget() is view
    assert view.report["taxonomy"] == view.taxonomy_box.currentData()


def test_the_analysis_tabs_are_built_when_first_shown(qtbot, open_window, sample_path):
    """The window opens with stand-ins in the Agreement and Metrics tabs; clicking a tab builds its view in
    place, shows it, and it computes its figures."""
    from annotator.gui.metric_view import MetricView

    window = open_window(sample_path)
    tabs = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())][:3] == ["Annotate", "Agreement", "Metrics"]
    assert not isinstance(tabs.widget(1), AgreementView) and not isinstance(tabs.widget(2), MetricView)
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(1).center())
    view = tabs.currentWidget()
    assert isinstance(view, AgreementView) and view is window.agreement_view
    assert tabs.currentIndex() == 1 and tabs.tabText(1) == "Agreement" and view.isVisible()
    qtbot.waitUntil(lambda: view.report is not None)
    assert view.report["taxonomy"] == view.taxonomy_box.currentData()
    assert not isinstance(tabs.widget(2), MetricView)  # still not built: nobody looked at it
    tabs.setCurrentIndex(2)
    metric = tabs.currentWidget()
    assert isinstance(metric, MetricView) and metric is window.metric_view and metric.isVisible()
    qtbot.waitUntil(lambda: metric.report is not None)
    assert [tabs.tabText(i) for i in range(tabs.count())][:3] == ["Annotate", "Agreement", "Metrics"]


def test_an_annotator_with_two_items_is_left_out_and_shown_with_the_count(qtbot, sample_path, tmp_path):
    """DESIGN 10.3 in the app: a newcomer who finished 2 items is unticked, listed with the count, and the
    team's figures are those without the newcomer; ticking the newcomer back in is the user's choice."""
    import shutil

    copy = tmp_path / "copy.sqlite"
    shutil.copy(sample_path, copy)
    with Project.open(str(copy)) as project:
        before = project.label_data("rift")
        items = sorted(set(before.done["item_id"]))[:2]
        for item in items:
            target = before.units[(before.units["item_id"] == item) & (before.units["kind"] == "criterion")]
            project.labels.toggle(item, "rift", "newcomer", target["target"].iloc[0], "subjective")
            project.completion.set_done(item, "rift", "newcomer")
        v = AgreementView()
        qtbot.addWidget(v)
        v.resamples.setValue(0)
        v.bind(project, "alice")
        assert "newcomer" not in v.chosen_annotators()  # reads the labels, as showing the view does
        boxes = {v.annotator_list.name(k): v.annotator_list.item(k) for k in range(v.annotator_list.count())}
        assert boxes["newcomer"].text() == "newcomer (2)"
        assert boxes["newcomer"].checkState() == Qt.CheckState.Unchecked
        assert "newcomer" not in v.chosen_annotators()
        report = computed(qtbot, v)
        assert report["annotators_left_out"] == {"newcomer": 2}
        team = agreement_report(before, n_boot=0)
        assert report["overall"]["fleiss_kappa"] == pytest.approx(team["overall"]["fleiss_kappa"])
        v.cancel()
        wait_for_all()


def test_reliability_tab_lists_each_annotators_estimate_from_dawid_skene(qtbot, view, project):
    from annotator.core.stats.reliability import model_gold

    report = computed(qtbot, view)
    chosen = report["annotators"]
    fitted = model_gold(project.label_data("rift").restrict(chosen), "dawid-skene", chosen)
    view.tabs.setCurrentWidget(view.reliability)
    model = view.reliability.model
    shown = {model.data(model.index(r, 0)): (model.data(model.index(r, 1)), model.data(model.index(r, 2)))
             for r in range(model.rowCount())}
    assert set(shown) == set(chosen)
    for name in chosen:
        assert shown[name] == (f"{fitted.reliability[name]:.3f}", str(fitted.answers[name]))
    values = [float(model.data(model.index(r, 1))) for r in range(model.rowCount())]
    assert values == sorted(values, reverse=True)
    assert "Dawid-Skene" in view.reliability.note.text() and "no interval" in view.reliability.note.text()
