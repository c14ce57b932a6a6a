"""A label key changes the chips of one unit and the label panel, in place: the unit rows, their texts and
the other rows' chips stay the very same widgets, so a key costs what it changed, not a page."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.core.store import Project
from annotator.gui.chips import Chip
from test_annotating import go_to

CTRL = Qt.KeyboardModifier.ControlModifier


def on_first_step(qtbot, open_window, project_path):
    """The window on trace t1, Reasoning errors active, step s1 selected: where both tests start."""
    window = open_window(project_path)
    go_to(qtbot, window, "t1")
    while window.session.taxonomy.id != "reasoning_errors":
        qtbot.keyClick(window, "t")
    while window.session.unit != "step:s1":
        qtbot.keyClick(window, "j")
    return window


def test_pressing_1_keeps_the_unit_widgets_and_shows_the_chip(qtbot, open_window, project_path):
    window = on_first_step(qtbot, open_window, project_path)
    qtbot.keyClick(window, "2")  # a chip on step 1, which the key on step 2 must leave alone
    qtbot.keyClick(window, "j")
    assert window.session.unit == "step:s2"
    page = window.item_view.page
    rows = list(page.rows)
    texts = [row.text_view for row in rows]
    chip_rows = [row.chips for row in rows]
    first_step_chips = rows[1].chips.findChildren(Chip)
    assert len(first_step_chips) == 1
    ldef, second = window.session.taxonomy.labels[0], window.session.taxonomy.labels[1]
    button = window.label_panel.buttons[0]
    assert not button.isChecked()
    assert rows[1].chips.findChildren(Chip) == first_step_chips

    qtbot.keyClick(window, "1")

    assert page.rows == rows and all(a is b for a, b in zip(page.rows, rows))
    assert [row.text_view for row in page.rows] == texts
    assert [row.chips for row in page.rows] == chip_rows
    assert rows[1].chips.findChildren(Chip) == first_step_chips  # a row the key did not touch keeps its chips
    selected = rows[2]
    assert selected.target == "step:s2"
    assert selected.chips.texts() == [ldef.name] and selected.chips.isVisibleTo(page)
    assert button.isChecked()
    with Project.open(project_path) as project:
        stored = project.labels.for_item("t1", "reasoning_errors", "alice")
    assert sorted((lab.target, lab.label) for lab in stored) == [("step:s1", second.id), ("step:s2", ldef.id)]

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # undone: the chip goes, the rows stay

    assert all(a is b for a, b in zip(page.rows, rows)) and len(page.rows) == len(rows)
    assert selected.chips.texts() == [] and not selected.chips.isVisibleTo(page)
    assert not button.isChecked()


def test_the_next_trace_refills_the_step_rows_with_its_own_steps(qtbot, open_window, project_path):
    window = on_first_step(qtbot, open_window, project_path)
    qtbot.keyClick(window, "1")
    page = window.item_view.page
    first_step = page.rows[1]
    assert first_step.chips.texts() == [window.session.taxonomy.labels[0].name]

    qtbot.keyClick(window, "n")  # t2: one step

    assert window.session.item.id == "t2"
    assert page.rows[1] is first_step  # the row was refilled, not built again
    assert first_step.text_view.text == "12 times 12 is 144." and first_step.heading.text().startswith("Step 1")
    assert first_step.chips.texts() == [] and first_step.text_view.span_colors() == []  # nothing of t1 left
    assert len(page.rows) == 2 and all(row.isVisible() for row in page.rows)

    qtbot.keyClick(window, "p")  # back to t1: three steps, the label still on the first

    assert window.session.item.id == "t1"
    assert [row.text_view.text for row in page.rows[1:]] == [
        "We want the roots of x^2 - 5x + 6.", "The factors are (x - 2)(x - 4), so x = 2 or x = 4.",
        "The larger root is 4."]
    assert page.rows[1].chips.texts() == [window.session.taxonomy.labels[0].name]
    assert page.rows[2].chips.texts() == [] and all(row.isVisible() for row in page.rows)


def test_a_label_key_redraws_only_the_row_it_changed(qtbot, open_window, project_path, monkeypatch):
    window = on_first_step(qtbot, open_window, project_path)
    page = window.item_view.page
    asked: list[str] = []
    for row in page.rows:
        real = row.chips.set_labels
        monkeypatch.setattr(row.chips, "set_labels", lambda chips, real=real, row=row: (asked.append(row.target),
                                                                                        real(chips))[1])
    qtbot.keyClick(window, "1")
    assert asked == ["step:s1"]
    asked.clear()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert asked == ["step:s1"]
    asked.clear()
    qtbot.keyClick(window, "t")  # another taxonomy shows other chips: every row is asked again
    assert sorted(asked) == sorted(row.target for row in page.rows)


def test_the_first_error_badge_moves_to_an_earlier_step_and_back(qtbot, open_window, project_path):
    """A rating on one step can take "first error" off another: that row is redrawn although the key did not
    touch it."""
    window = on_first_step(qtbot, open_window, project_path)
    while window.session.taxonomy.id != "step_rating":
        qtbot.keyClick(window, "t")
    page = window.item_view.page

    def badges() -> dict[str, str]:
        return {row.target: row.badge.text() for row in page.rows if row.target.startswith("step:")}

    qtbot.keyClick(window, "j")
    qtbot.keyClick(window, "j")
    assert window.session.unit == "step:s3"
    qtbot.keyClick(window, "1")  # -1 on s3
    assert "first error" in badges()["step:s3"]
    qtbot.keyClick(window, "k")
    qtbot.keyClick(window, "1")  # -1 on s2: now the first error
    shown = badges()
    assert "first error" in shown["step:s2"] and "first error" not in shown["step:s3"] and "-1" in shown["step:s3"]
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    shown = badges()
    assert "first error" in shown["step:s3"] and shown["step:s2"] == ""
