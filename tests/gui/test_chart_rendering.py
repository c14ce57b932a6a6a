"""Charts on a tab nobody looks at are not rendered until they are shown (gui/charts.py)."""

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

    chart.message("nothing to show yet")
    chart.draw(lambda figure: figure.add_subplot().plot([1, 2, 3]))
    for _ in range(5):
        QApplication.processEvents()
    assert renders == [], "a hidden chart was rendered"

    tabs.setCurrentWidget(chart)
    qtbot.waitUntil(lambda: len(renders) == 1)
    assert len(chart.figure.axes) == 1  # what was drawn last is what shows

    chart.message("shown now")  # on screen: rendered at the next turn, as before
    qtbot.waitUntil(lambda: len(renders) == 2)
