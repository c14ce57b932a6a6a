"""Span labels without the mouse: s gives the keyboard to the selected step's text, Shift+arrows select,
a label key labels the selection, Esc gives the keyboard back."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.core.store import Project
from annotator.gui.span_text import SpanText

SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_a_span_label_from_the_keyboard_alone(qtbot, open_window, project_path):
    window = open_window(project_path)
    window.item_list.select_row(window.item_list.model.row_of("t1"))
    qtbot.waitUntil(lambda: window.session.item.id == "t1")
    while window.session.taxonomy.id != "reasoning_errors":
        qtbot.keyClick(window, "t")
    for _ in range(4):  # to step s2: "The factors are (x - 2)(x - 4), so x = 2 or x = 4."
        if window.session.unit == "step:s2":
            break
        qtbot.keyClick(window, "j")
    assert window.session.unit == "step:s2"
    qtbot.keyClick(window, "s")
    text = QApplication.focusWidget()
    assert isinstance(text, SpanText)
    for _ in range(11):
        qtbot.keyClick(text, Qt.Key.Key_Right, SHIFT)
    assert text.selected_range() == (0, 11)
    qtbot.keyClick(text, "1")
    with Project.open(project_path) as project:
        labels = project.labels.for_item("t1", "reasoning_errors", "alice")
    assert [(lab.target, lab.label) for lab in labels] == [("span:s2:0-11", "calculation")]
    qtbot.keyClick(text, Qt.Key.Key_Escape)
    assert not isinstance(QApplication.focusWidget(), SpanText)
