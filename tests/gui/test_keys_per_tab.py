"""Annotating keys belong to the Annotate tab: on the agreement or metric view they must not label the item
hidden behind it."""

from PySide6.QtCore import Qt

from annotator.core.store import Project


def labels_of(path) -> list:
    with Project.open(path) as project:
        return project.labels.for_item("r1")


def test_label_keys_only_act_on_the_annotate_tab(qtbot, open_window, project_path):
    window = open_window(project_path)
    window.tabs.setCurrentWidget(window.agreement_view)
    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, "n")
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert labels_of(project_path) == []
    assert window.session.item.id == "r1"
    assert not window.session.project.completion.is_done("r1", window.session.taxonomy.id, window.session.annotator)
    window.tabs.setCurrentIndex(0)
    window.item_view.setFocus()
    qtbot.keyClick(window, "1")
    assert len(labels_of(project_path)) == 1
