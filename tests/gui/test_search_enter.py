"""Typing an id in the search box and pressing Enter goes straight to that item."""

from PySide6.QtCore import Qt


def test_enter_in_search_opens_the_first_match(qtbot, open_window, project_path):
    window = open_window(project_path)
    assert window.session.item.id == "r1"
    qtbot.keyClick(window, "/")
    qtbot.keyClicks(window.item_list.search, "t2")
    qtbot.keyClick(window.item_list.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.item is not None and window.session.item.id == "t2")
    assert not window.typing()  # the keyboard left the search box: label keys work again


def test_enter_keeps_the_item_on_screen_when_it_matches(qtbot, open_window, project_path):
    window = open_window(project_path)
    qtbot.keyClick(window, "/")
    qtbot.keyClicks(window.item_list.search, "r")
    qtbot.keyClick(window.item_list.search, Qt.Key.Key_Return)
    assert window.session.item.id == "r1"
