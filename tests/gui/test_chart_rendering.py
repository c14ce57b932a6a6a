"""Charts on a tab nobody looks at are neither drawn nor rendered until they are shown (gui/charts.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from annotator.gui.charts import ChartCanvas


def test_a_chart_on_a_hidden_tab_renders_when_its_tab_is_shown(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "first")
    chart = ChartCanvas()
    tabs.addTab(chart, "chart")
    tabs.show()
    qtbot.waitExposed(tabs)
    renders: list[int] = []
    chart.canvas.mpl_connect("draw_event", lambda _event: renders.append(1))

    built: list[int] = []

    def plot(figure):
        built.append(1)
        figure.add_subplot().plot([1, 2, 3])

    chart.message("nothing to show yet")
    chart.draw(plot)
    for _ in range(5):
        QApplication.processEvents()
    assert renders == [], "a hidden chart was rendered"
    assert built == [], "a hidden chart was drawn"

    tabs.setCurrentWidget(chart)
    qtbot.waitUntil(lambda: len(renders) == 1)
    assert built == [1]  # once, on being shown
    assert len(chart.figure.axes) == 1  # what was drawn last is what shows

    chart.message("shown now")  # on screen: rendered at the next turn, as before
    qtbot.waitUntil(lambda: len(renders) == 2)


def test_reading_a_hidden_charts_figure_draws_what_was_asked_last(qtbot):
    chart = ChartCanvas()
    qtbot.addWidget(chart)
    chart.draw(lambda figure: figure.add_subplot().plot([1, 2, 3]))
    chart.message("replaced before anyone looked")
    assert not chart.isVisible()
    assert chart.figure.axes == [] and chart.figure.texts[0].get_text() == "replaced before anyone looked"
