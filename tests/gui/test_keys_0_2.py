"""The keys and small fixes of 0.2, each driven like a user would: press the key in the real main window, then
check the screen and the database."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.core.answers import AnswerMatch
from annotator.core.model import Criterion, Item, Step
from annotator.core.store import Project
from annotator.gui.dialogs import ShortcutSheet
from test_annotating import go_to

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
RING = "#1f6feb"  # the focus ring's colour in the style sheet


def stored(path: str, item_id: str, annotator: str = "alice") -> set[tuple[str, str, str]]:
    with Project.open(path) as project:
        return {(lab.taxonomy, lab.target, lab.label) for lab in project.labels.for_item(item_id, annotator=annotator)}


def done_in(path: str, item_id: str, taxonomy: str, annotator: str = "alice") -> bool:
    with Project.open(path) as project:
        return project.completion.is_done(item_id, taxonomy, annotator)


def test_e_opens_the_note_field_and_esc_gives_the_keys_back(qtbot, open_window, project_path):
    window = open_window(project_path)
    qtbot.keyClick(window, "e")
    note = window.label_panel.note
    assert QApplication.focusWidget() is note
    qtbot.keyClicks(note, "check c1")  # typed text, not label keys
    qtbot.keyClick(note, Qt.Key.Key_Return)
    qtbot.keyClick(note, Qt.Key.Key_Escape)
    assert not window.typing()
    assert stored(project_path, "r1") == set()
    with Project.open(project_path) as project:
        assert project.notes.for_item("r1", "rift", "alice") == {"criterion:c1": "check c1"}


def test_g_then_a_digit_and_shift_digit_show_a_guideline_without_labelling(qtbot, open_window, project_path):
    window = open_window(project_path)
    guide = window.label_panel.guideline
    qtbot.keyClick(window, "g")
    qtbot.keyClick(window, "2")
    assert guide.shown == "non_atomic"
    assert "not applied" in window.statusBar().currentMessage()
    qtbot.keyClick(window, "1", SHIFT)
    assert guide.shown == "subjective"
    assert stored(project_path, "r1") == set()
    qtbot.keyClick(window, "2")  # without g the key labels again
    assert stored(project_path, "r1") == {("rift", "criterion:c1", "non_atomic")}


def test_ctrl_shift_enter_marks_done_and_stays(qtbot, open_window, project_path):
    window = open_window(project_path)
    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL | SHIFT)
    assert window.session.item.id == "r1"
    assert done_in(project_path, "r1", "rift")
    assert window.label_panel.done_state.text() == "Done in this taxonomy"


def test_leaving_labels_unfinished_says_so_in_the_status_bar(qtbot, open_window, project_path):
    window = open_window(project_path)
    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, "n")
    assert window.session.item.id == "r2"
    message = window.statusBar().currentMessage()
    assert "r1 has labels not marked done in RIFT rubric failure modes" in message
    qtbot.keyClick(window, "p")
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)  # done and next: nothing to warn about
    assert window.session.item.id == "r2"
    assert "not marked done" not in window.statusBar().currentMessage()


def test_ctrl_enter_keeps_to_the_items_the_search_shows(qtbot, open_window, project_path):
    window = open_window(project_path)
    qtbot.keyClick(window, "/")
    qtbot.keyClicks(window.item_list.search, "t")  # matches t1, t2 (and texts holding a t)
    qtbot.keyClick(window.item_list.search, Qt.Key.Key_Return)
    qtbot.keyClick(window.item_list.search, Qt.Key.Key_Escape)
    window.item_list.search.setText("t2")
    window.item_list.apply_filter()
    go_to(qtbot, window, "t2")
    window.item_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)
    assert done_in(project_path, "t2", "reasoning_errors")
    # the only listed item is done: Ctrl+Enter stays instead of jumping to an item the list hides
    assert window.session.item.id == "t2"
    assert "among the items listed" in window.statusBar().currentMessage()


def test_ctrl_pgdn_cycles_the_tabs_of_the_analysis_views(qtbot, open_window, project_path):
    window = open_window(project_path)
    view = window.agreement_view
    window.tabs.setCurrentWidget(view)
    start = view.tabs.currentIndex()
    qtbot.keyClick(window, Qt.Key.Key_PageDown, CTRL)
    assert view.tabs.currentIndex() == start + 1
    qtbot.keyClick(window, Qt.Key.Key_PageUp, CTRL)
    assert view.tabs.currentIndex() == start
    qtbot.keyClick(window, Qt.Key.Key_PageUp, CTRL)  # wraps round to the last visible tab
    assert view.tabs.currentIndex() == max(i for i in range(view.tabs.count()) if view.tabs.isTabVisible(i))
    view.taxonomy_box.setFocus()  # from a focused combo box too (under X11 it would claim the keys: see the filter)
    taxonomy = view.taxonomy_box.currentIndex()
    qtbot.keyClick(view.taxonomy_box, Qt.Key.Key_PageDown, CTRL)
    assert view.taxonomy_box.currentIndex() == taxonomy and view.tabs.currentIndex() == 0
    metric = window.metric_view
    window.tabs.setCurrentWidget(metric)
    qtbot.keyClick(window, Qt.Key.Key_PageDown, CTRL)
    assert metric.side.currentIndex() == 1


def test_alt_keys_reach_the_combo_boxes_of_the_analysis_views(qtbot, open_window, project_path):
    window = open_window(project_path)
    view = window.agreement_view
    window.tabs.setCurrentWidget(view)
    metric = window.metric_view
    for tab, key, control in ((view, Qt.Key.Key_T, view.taxonomy_box), (view, Qt.Key.Key_R, view.resamples),
                              (metric, Qt.Key.Key_I, metric.metric_box), (metric, Qt.Key.Key_T, metric.taxonomy_box)):
        window.tabs.setCurrentWidget(tab)
        qtbot.keyClick(window, key, ALT)
        qtbot.waitUntil(lambda c=control: QApplication.focusWidget() is c)


def test_the_focused_control_is_outlined(qtbot, open_window, project_path):
    from annotator.gui.app import style_sheet
    app = QApplication.instance()
    app.setStyleSheet(style_sheet())
    try:
        window = open_window(project_path)
        view = window.agreement_view
        window.tabs.setCurrentWidget(view)
        box = view.taxonomy_box

        def ring_pixels() -> int:
            image = box.grab().toImage()
            return sum(1 for x in range(image.width()) for y in (0, 1, image.height() - 1)
                       if image.pixelColor(x, y).name() == RING)

        box.clearFocus()
        before = ring_pixels()
        qtbot.keyClick(window, Qt.Key.Key_T, ALT)
        qtbot.waitUntil(lambda: box.hasFocus())
        assert ring_pixels() > box.width() and before == 0
    finally:
        app.setStyleSheet("")


def test_a_step_rating_advances_when_asked(qtbot, open_window, project_path):
    window = open_window(project_path)
    go_to(qtbot, window, "t1")
    qtbot.keyClick(window, "t")
    s = window.session
    assert s.taxonomy.id == "step_rating" and s.unit == "step:s1"
    qtbot.keyClick(window, "3")
    assert s.unit == "step:s1"  # off by default
    window.advance_action.setChecked(True)
    assert window.settings.advance_after_rating
    qtbot.keyClick(window, "3")  # the same key takes the rating away: no move
    assert s.unit == "step:s1"
    qtbot.keyClick(window, "1")
    assert s.unit == "step:s2"
    qtbot.keyClick(window, "2")
    assert s.unit == "step:s3"
    assert stored(project_path, "t1") == {("step_rating", "step:s1", "-1"), ("step_rating", "step:s2", "0")}


def test_the_help_sheet_shows_every_line(qtbot):
    sheet = ShortcutSheet()
    qtbot.addWidget(sheet)
    sheet.show()
    qtbot.waitExposed(sheet)
    table = sheet.table
    assert table.verticalScrollBar().maximum() == 0
    last = table.visualRect(table.model().index(table.rowCount() - 1, 1))
    assert last.bottom() <= table.viewport().height()
    screen = sheet.screen().availableGeometry()
    assert sheet.height() <= screen.height()


def test_caption_errors_put_the_frame_on_the_caption(qtbot, open_window, project_path):
    window = open_window(project_path)
    go_to(qtbot, window, "cap1")
    s = window.session
    assert s.taxonomy.id == "caption_verdict" and s.unit == "criterion:c1"
    qtbot.keyClick(window, "t")
    assert s.taxonomy.id == "caption_errors" and s.unit == "item"
    page = window.item_view.caption
    assert page.rows[0].property("selected") is True and page.rows[1].property("selected") is False
    qtbot.keyClick(window, "j")  # no criterion takes a caption error: the frame stays where the keys act
    assert s.unit == "item"
    page.verdicts["criterion:c2"]["met"].click()  # a verdict by mouse does not pull the frame away either
    assert s.unit == "item"
    assert ("caption_verdict", "criterion:c2", "met") in stored(project_path, "cap1")


def test_checked_verdicts_use_readable_ink(qtbot, open_window, project_path):
    window = open_window(project_path)
    go_to(qtbot, window, "cap1")
    for buttons in window.item_view.caption.verdicts.values():
        for button in buttons.values():
            sheet = button.styleSheet()
            assert "color:" in sheet.split("background")[1]


def test_one_point_is_singular(qtbot, tmp_path, open_window):
    from conftest import build_project
    path = build_project(tmp_path / "p.sqlite", [Item(
        id="r", kind="rubric", source="s", prompt="Say hi.",
        criteria=(Criterion(id="c1", text="Says hi.", points=1), Criterion(id="c2", text="Polite.", points=2)))])
    window = open_window(path)
    rows = window.item_view.rubric.rows
    assert "1 point" in rows[1].heading.text() and "1 points" not in rows[1].heading.text()
    assert "2 points" in rows[2].heading.text()


def test_spans_leave_out_the_spaces_at_their_ends(qtbot, open_window, project_path):
    window = open_window(project_path)
    go_to(qtbot, window, "t1")
    view = window.item_view.trace.step_text("s2")
    text = view.text
    start = text.index("so x")
    view.select_range(start - 1, start + len("so x") + 1)  # " so x " with a space at each end
    assert window.session.span == ("s2", start, start + len("so x"))


def test_long_prompts_stay_on_screen_and_code_is_fixed_width(qtbot, tmp_path, open_window):
    from conftest import build_project
    criteria = tuple(Criterion(id=f"c{i}", text=f"Criterion number {i} checks one more thing.") for i in range(60))
    prompt = "Fix this function:\n```python\ndef f(x):\n    return x +\n```\nKeep `f` pure."
    path = build_project(tmp_path / "long.sqlite", [Item(id="r", kind="rubric", source="s", prompt=prompt,
                                                         criteria=criteria)])
    window = open_window(path)
    page = window.item_view.rubric
    for _ in range(59):
        qtbot.keyClick(window, "j")
    assert window.session.unit == "criterion:c59"
    qtbot.waitUntil(lambda: page.scroll.verticalScrollBar().value() > 0)
    assert not page.prompt.visibleRegion().isEmpty()  # the criteria scrolled; the prompt did not
    body = page.prompt.body
    assert body.is_fixed_width_at(prompt.index("def f"))
    assert body.is_fixed_width_at(prompt.index("`f`") + 1)
    assert not body.is_fixed_width_at(prompt.index("Fix"))


def test_42_and_42_point_0_read_as_equivalent(qtbot, tmp_path, open_window):
    from conftest import build_project
    path = build_project(tmp_path / "t.sqlite", [Item(
        id="t", kind="trace", source="s", problem="6 times 7?", steps=(Step(id="s1", text="It is 42."),),
        answer="42", reference_answer="42.0")])
    window = open_window(path)
    answers = window.item_view.trace.answers
    qtbot.waitUntil(lambda: answers.match is not None, timeout=30_000)
    assert answers.match is AnswerMatch.EQUIVALENT and answers.badge.text() == "equivalent"


def test_a_taxonomy_name_in_rich_text_is_shown_literally(qtbot, tmp_path, open_window, project_path):
    with Project.open(project_path) as project:
        rift = project.taxonomies.get("rift")
        project.taxonomies.add(rift.model_copy(update={"id": "bold", "name": "<b>Bold</b> & <i>co</i>"}))
    window = open_window(project_path)
    window.session.set_taxonomy("bold")
    label = window.progress_label
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert "(<b>Bold</b> & <i>co</i>)" in label.text()
    assert window.label_panel.taxonomy.currentText() == "<b>Bold</b> & <i>co</i>"


def test_the_first_sample_build_shows_its_progress(qtbot, settings, tmp_path, monkeypatch):
    from annotator.gui.main_window import MainWindow
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    window = MainWindow(settings, "alice")
    qtbot.addWidget(window)
    window.show()
    stages: list[str] = []
    window.sampleStage.connect(stages.append)
    with qtbot.waitSignal(window.projectOpened, timeout=180_000):
        window.open_sample()
        dialog = window.sample_progress
        assert dialog is not None and "Building the sample project" in dialog.labelText()
    assert stages and stages[0].startswith("imported 83 items")
    assert window.sample_progress is None and window.session.item is not None  # the dialog went with the build
