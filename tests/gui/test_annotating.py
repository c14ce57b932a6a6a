"""Driving the real main window with the keyboard, as an annotator would, and checking the database."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.core.answers import AnswerMatch
from annotator.core.store import Project

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def stored(path: str, item_id: str | None = None, annotator: str = "alice") -> set[tuple[str, str, str, str]]:
    """(item, taxonomy, target, label) of every label in the project, read through a fresh connection."""
    with Project.open(path) as project:
        ids = [item_id] if item_id else [s.id for s in project.items.page(limit=1000)]
        return {(lab.item_id, lab.taxonomy, lab.target, lab.label)
                for i in ids for lab in project.labels.for_item(i, annotator=annotator)}


def go_to(qtbot, window, item_id: str) -> None:
    """Press n until the item is on screen (the list is in import order)."""
    for _ in range(10):
        if window.session.item.id == item_id:
            return
        qtbot.keyClick(window, "n")
    assert window.session.item.id == item_id


def test_rubric_criteria_and_rubric_labels_by_keyboard(qtbot, open_window, project_path):
    window = open_window(project_path)
    s = window.session
    assert s.item.id == "r1" and s.unit == "criterion:c1"  # the first criterion is selected on opening
    qtbot.keyClick(window, "1")  # subjective, on c1
    qtbot.keyClick(window, "j")
    assert s.unit == "criterion:c2"
    qtbot.keyClick(window, "2")  # non_atomic, on c2
    qtbot.keyClick(window, "5")  # missing_criteria is a rubric label: it goes on the rubric whatever is selected
    assert "saved" in window.statusBar().currentMessage()
    assert stored(project_path, "r1") == {("r1", "rift", "criterion:c1", "subjective"),
                                          ("r1", "rift", "criterion:c2", "non_atomic"),
                                          ("r1", "rift", "item", "missing_criteria")}
    page = window.item_view.rubric
    assert window.item_view.currentWidget() is page
    assert page.rows[0].chips.texts() == ["Missing criteria"]
    assert page.rows[1].chips.texts() == ["Subjective"]
    assert page.rows[2].chips.texts() == ["Non-atomic"]
    assert page.rows[2].property("selected") is True
    checked = {b.ldef.id for b in window.label_panel.buttons if b.isChecked()}
    assert checked == {"non_atomic", "missing_criteria"}
    qtbot.keyClick(window, "2")  # the same key again takes the label away
    assert ("r1", "rift", "criterion:c2", "non_atomic") not in stored(project_path, "r1")
    qtbot.keyClick(window, "k")
    qtbot.keyClick(window, "k")
    assert s.unit == "item"
    qtbot.keyClick(window, "1")  # a criterion label with the rubric selected is refused, not misplaced
    assert "select one first" in window.statusBar().currentMessage()
    assert len(stored(project_path, "r1")) == 2


def test_trace_steps_spans_and_ratings(qtbot, open_window, project_path):
    window = open_window(project_path)
    go_to(qtbot, window, "t1")
    s = window.session
    assert s.taxonomy.id == "reasoning_errors" and s.unit == "step:s1"
    qtbot.keyClick(window, "j")
    qtbot.keyClick(window, "1")  # calculation on step s2
    page = window.item_view.trace
    step = page.step_text("s2")
    start = step.text.index("(x - 2)(x - 4)")
    end = start + len("(x - 2)(x - 4)")
    step.select_range(start, end)
    assert s.span == ("s2", start, end)
    qtbot.keyClick(window, "2")  # conceptual, on the selected text
    assert s.span is None
    span = f"span:s2:{start}-{end}"
    assert stored(project_path, "t1") == {("t1", "reasoning_errors", "step:s2", "calculation"),
                                          ("t1", "reasoning_errors", span, "conceptual")}
    color = s.project.taxonomies.get("reasoning_errors").label("conceptual").color
    (hl_start, hl_end, hl_color), = step.span_colors()
    assert (hl_start, hl_end) == (start, end)
    assert hl_color == color.lower()

    qtbot.keyClick(window, "t")  # step ratings
    assert s.taxonomy.id == "step_rating"
    qtbot.keyClick(window, "1")  # -1 on s2
    qtbot.keyClick(window, "j")
    qtbot.keyClick(window, "3")  # +1 on s3
    assert s.first_error() == "step:s2"
    badges = {row.target: row.badge.text() for row in page.rows if row.target.startswith("step:")}
    assert "first error" in badges["step:s2"] and "-1" in badges["step:s2"]
    assert "+1" in badges["step:s3"] and "first error" not in badges["step:s3"]
    qtbot.keyClick(window, "k")
    qtbot.keyClick(window, "2")  # single choice: 0 replaces -1 on s2
    ratings = {(t, lab) for _i, tax, t, lab in stored(project_path, "t1") if tax == "step_rating"}
    assert ratings == {("step:s2", "0"), ("step:s3", "+1")}
    assert s.first_error() is None
    qtbot.waitUntil(lambda: page.answers.match is AnswerMatch.NO_MATCH, timeout=20_000)  # 4 against 3
    go_to(qtbot, window, "t2")
    assert window.item_view.trace.answers.match is AnswerMatch.EQUIVALENT  # 144 against $144$


def test_caption_verdicts_errors_and_zoom(qtbot, open_window, project_path):
    window = open_window(project_path)
    go_to(qtbot, window, "cap1")
    s = window.session
    page = window.item_view.caption
    assert s.taxonomy.id == "caption_verdict" and s.unit == "criterion:c1"
    qtbot.waitUntil(lambda: page.image.has_image)  # decoded off the UI thread unless it was read ahead
    assert page.image.shown_size()[0] > 0
    qtbot.keyClick(window, "3")  # met
    qtbot.keyClick(window, "j")
    qtbot.keyClick(window, "1")  # not met
    qtbot.keyClick(window, "2")  # single choice: partly met replaces not met
    assert page.verdicts["criterion:c1"]["met"].isChecked()
    assert page.verdicts["criterion:c2"]["partly_met"].isChecked()
    assert not page.verdicts["criterion:c2"]["not_met"].isChecked()
    qtbot.mouseClick(page.verdicts["criterion:c1"]["not_met"], Qt.MouseButton.LeftButton)  # buttons work too

    qtbot.keyClick(window, "t")  # caption errors
    assert s.taxonomy.id == "caption_errors"
    assert window.label_panel.target.text() == "Keys label: the whole item"
    assert window.label_panel.guideline.shown is None  # no stale verdict guideline after switching
    qtbot.keyClick(window, "6")  # omission, an item label
    caption = page.rows[0].text_view
    start = caption.text.index("A green circle")
    caption.select_range(start, len(caption.text))
    assert "the selected text" in window.label_panel.target.text()
    qtbot.keyClick(window, "1")  # hallucinated object, on the selected words
    assert stored(project_path, "cap1") == {
        ("cap1", "caption_verdict", "criterion:c1", "not_met"),
        ("cap1", "caption_verdict", "criterion:c2", "partly_met"),
        ("cap1", "caption_errors", "item", "omission"),
        ("cap1", "caption_errors", f"span:caption:{start}-{len(caption.text)}", "hallucinated_object"),
    }
    assert [(a, b) for a, b, _c in caption.span_colors()] == [(start, len(caption.text))]
    width = page.image.shown_size()[0]
    qtbot.keyClick(window, "+")
    assert page.image.shown_size()[0] > width
    qtbot.keyClick(window, "-")
    qtbot.keyClick(window, "-")
    assert page.image.shown_size()[0] < width


def test_done_undo_redo_and_progress(qtbot, open_window, project_path):
    window = open_window(project_path)
    s = window.session
    qtbot.keyClick(window, "1")
    assert window.progress_label.text().startswith("0 of 2 done")
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)
    assert s.item.id == "r2"  # the next rubric not yet done
    assert window.progress_label.text().startswith("1 of 2 done")
    with Project.open(project_path) as p:
        assert p.completion.is_done("r1", "rift", "alice")
    qtbot.keyClick(window, "z", CTRL)  # undo "done": back on r1, not done
    assert s.item.id == "r1"
    with Project.open(project_path) as p:
        assert not p.completion.is_done("r1", "rift", "alice")
    assert window.progress_label.text().startswith("0 of 2 done")
    qtbot.keyClick(window, "z", CTRL)  # undo the label
    assert stored(project_path, "r1") == set()
    assert window.item_view.rubric.rows[1].chips.texts() == []
    qtbot.keyClick(window, "z", CTRL | SHIFT)  # redo the label
    assert stored(project_path, "r1") == {("r1", "rift", "criterion:c1", "subjective")}
    qtbot.keyClick(window, "z", CTRL | SHIFT)  # redo "done"
    with Project.open(project_path) as p:
        assert p.completion.is_done("r1", "rift", "alice")


def test_notes_save_on_enter_and_keys_do_not_label_while_typing(qtbot, open_window, project_path):
    window = open_window(project_path)
    note = window.label_panel.note
    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClicks(note, "vague 123")
    qtbot.keyClick(window, "1")  # the note has the keyboard: the label key stays quiet
    qtbot.keyClick(note, "1")
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert stored(project_path, "r1") == set()
    with Project.open(project_path) as p:
        assert p.notes.get("r1", "rift", "alice", "criterion:c1") == "vague 1231"
    window.item_view.setFocus()
    qtbot.keyClick(window, "j")
    assert note.text() == ""
    qtbot.keyClick(window, "k")
    assert note.text() == "vague 1231"
    note.setFocus()
    note.setText("changed then left")
    qtbot.keyClick(window, "n")  # typing n in the note does not move...
    assert window.session.item.id == "r1"
    window.item_view.setFocus()  # ...leaving the field saves
    qtbot.keyClick(window, "n")
    with Project.open(project_path) as p:
        assert p.notes.get("r1", "rift", "alice", "criterion:c1").startswith("changed then left")


def test_close_and_reopen_keeps_every_label(qtbot, open_window, project_path):
    window = open_window(project_path)
    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, "j")
    qtbot.keyClick(window, "3")
    go_to(qtbot, window, "t1")
    qtbot.keyClick(window, "4")
    before = stored(project_path)
    assert len(before) == 3
    window.close()
    again = open_window(project_path)
    assert stored(project_path) == before
    rows = again.item_view.rubric.rows
    assert rows[1].chips.texts() == ["Subjective"] and rows[2].chips.texts() == ["Ungrounded"]
    assert again.settings.recent_projects()[0].endswith("team.sqlite")


def test_search_filters_and_status(qtbot, open_window, project_path):
    window = open_window(project_path)
    panel = window.item_list
    qtbot.keyClick(window, "/")
    assert QApplication.focusWidget() is panel.search
    qtbot.keyClicks(panel.search, "sky")
    panel.apply_filter()
    assert panel.model.rowCount() == 1 and panel.model.item_id(0) == "r2"
    panel.search.clear()
    panel.apply_filter()
    panel.kind.setCurrentIndex(panel.kind.findData("trace"))
    assert [panel.model.item_id(r) for r in range(panel.model.rowCount())] == ["t1", "t2"]
    panel.source.setCurrentIndex(panel.source.findData("other-set"))
    assert panel.model.rowCount() == 1
    panel.source.setCurrentIndex(0)
    panel.kind.setCurrentIndex(0)
    window.item_view.setFocus()
    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)  # r1 done
    status_col = panel.model.index(panel.model.row_of("r1"), 3)
    assert panel.model.data(status_col) == "done"
    panel.status.setCurrentIndex(panel.status.findData("todo"))
    assert [panel.model.item_id(r) for r in range(panel.model.rowCount())] == ["r2"]
    panel.status.setCurrentIndex(panel.status.findData("done"))
    assert [panel.model.item_id(r) for r in range(panel.model.rowCount())] == ["r1"]


def test_plain_text_only(qtbot, open_window, tmp_path):
    from conftest import build_project

    from annotator.core.model import Criterion, Item
    path = build_project(tmp_path / "html.sqlite", [Item(
        id="h1", kind="rubric", source="<b>src</b>", prompt="<h1>Big</h1> <img src='x'>",
        criteria=(Criterion(id="c1", text="<i>not italic</i>", axis="<u>axis</u>"),))])
    window = open_window(path)
    row = window.item_view.rubric.rows[1]
    assert "<u>axis</u>" in row.heading.text() and row.heading.textFormat() == Qt.TextFormat.PlainText
    assert window.item_view.rubric.prompt.body.toPlainText() == "<h1>Big</h1> <img src='x'>"
