"""Long items stay quick to move through: a long trace lays out only the steps on screen, rubric rows are
refilled between items, the neighbours of the item on screen are read ahead, and a label key reads nothing
back from the store."""

from __future__ import annotations

import random

from PySide6.QtCore import Qt

from annotator.core.model import Criterion, Item, Step
from annotator.core.store import Project
from conftest import build_project, small_items
from test_annotating import go_to

CTRL = Qt.KeyboardModifier.ControlModifier
WORDS = ("we factor the quadratic then compare both sides so each term matches and the constant stays fixed "
         "while the sign of every coefficient is checked").split()


def long_trace(item_id: str, steps: int) -> Item:
    rng = random.Random(item_id)
    return Item(id=item_id, kind="trace", source="unit-tests", problem="Find the larger root.",
                steps=tuple(Step(id=f"s{n}", text=" ".join(rng.choice(WORDS) for _ in range(220)))
                            for n in range(1, steps + 1)),
                answer="4", reference_answer="4")


def on_screen(page) -> list:
    """The rows that show at least a pixel in the page's viewport."""
    top = -page._holder.y()
    bottom = top + page.scroll.viewport().height()
    return [row for row in page.rows if row.isVisible() and row.geometry().bottom() >= top
            and row.geometry().top() <= bottom]


def real_height(text_view) -> int:
    doc = text_view.document()
    doc.setTextWidth(max(50, text_view.viewport().width()))
    return int(doc.size().height()) + 2 * text_view.frameWidth() + 4


def rows_fit(qtbot, page) -> bool:
    """Every shown row has the height its contents ask for (none squeezed by a stale size)."""
    qtbot.wait(30)  # the layout's own turn
    return all(row.height() == (row.heightForWidth(row.width()) if row.hasHeightForWidth()
                                else row.sizeHint().height()) for row in page.rows if row.isVisible())


def rows_do_not_overlap(page) -> bool:
    shown = [row.geometry() for row in page.rows if row.isVisible()]
    return all(a.bottom() < b.top() for a, b in zip(shown, shown[1:]))


def test_a_far_step_is_laid_out_when_j_reaches_it_and_scrolled_to(qtbot, open_window, tmp_path):
    path = build_project(tmp_path / "long.sqlite", [long_trace("long", 40), long_trace("next", 40)])
    window = open_window(path)
    page = window.item_view.trace
    assert window.session.unit == "step:s1"
    far = page.rows[30]
    assert far.target == "step:s30"
    assert not far.text_view.laid_out and far.text_view.document().isEmpty()  # off screen: not laid out yet
    assert far.text_view.height() > 3 * far.text_view.fontMetrics().lineSpacing()  # but given a likely height
    assert all(row.text_view.laid_out for row in on_screen(page) if row.text_view is not None)

    while window.session.unit != "step:s30":
        qtbot.keyClick(window, "j")

    assert far.text_view.laid_out and far.text_view.toPlainText() == far.text_view.text
    assert far.text_view.height() == real_height(far.text_view)
    qtbot.waitUntil(lambda: far in on_screen(page))
    top = far.geometry().top() + page._holder.y()
    assert 0 <= top and top + far.height() <= page.scroll.viewport().height() + far.height() // 2
    qtbot.waitUntil(lambda: all(r.text_view.laid_out for r in on_screen(page) if r.text_view is not None))
    assert rows_do_not_overlap(page)


def test_scrolling_lays_out_the_steps_that_come_into_view(qtbot, open_window, tmp_path):
    path = build_project(tmp_path / "long.sqlite", [long_trace("long", 40)])
    window = open_window(path)
    page = window.item_view.trace
    bar = page.scroll.verticalScrollBar()
    for value in (bar.maximum() // 2, bar.maximum()):
        bar.setValue(value)
        qtbot.waitUntil(lambda: all(r.text_view.laid_out for r in on_screen(page) if r.text_view is not None))
        assert rows_do_not_overlap(page)
    assert page.rows[-1] in on_screen(page)
    assert not page.rows[12].text_view.laid_out  # passed over by the jump, never on screen


def test_the_next_trace_starts_unlaid_again_and_shows_its_own_text(qtbot, open_window, tmp_path):
    path = build_project(tmp_path / "long.sqlite", [long_trace("long", 40), long_trace("next", 30)])
    window = open_window(path)
    page = window.item_view.trace
    while window.session.unit != "step:s20":
        qtbot.keyClick(window, "j")
    row, last = page.rows[20], page.rows[40]
    assert row.text_view.laid_out
    qtbot.keyClick(window, "n")
    assert window.session.item.id == "next" and page.rows[20] is row  # the row was refilled
    assert not row.text_view.laid_out and row.text_view.document().isEmpty()
    assert len(page.rows) == 31 and all(r.isVisible() for r in page.rows) and not last.isVisible()
    expected = window.session.item.steps[19].text
    assert page.step_text("s20").toPlainText() == expected  # laid out on demand, with the new trace's words
    while window.session.taxonomy.id != "reasoning_errors":
        qtbot.keyClick(window, "t")
    qtbot.keyClick(window, "1")  # a chip on the first refilled step: the row grows to hold it
    assert page.rows[1].chips.texts() and rows_fit(qtbot, page)


def test_n_opens_the_item_read_ahead_without_asking_the_store(qtbot, open_window, project_path, monkeypatch):
    window = open_window(project_path)
    go_to(qtbot, window, "t1")
    prefetch = window.session.prefetch
    qtbot.waitUntil(lambda: prefetch.ready("t2") and prefetch.ready("cap1"))
    asked: list[str] = []
    store = window.session.project.items
    read = store.get
    monkeypatch.setattr(store, "get", lambda item_id: asked.append(item_id) or read(item_id))

    qtbot.keyClick(window, "n")

    assert window.session.item.id == "t2" and "t2" not in asked  # (t1 is read ahead again, for p)
    assert window.item_view.trace.rows[1].text_view.text == "12 times 12 is 144."
    qtbot.keyClick(window, "p")
    qtbot.keyClick(window, "p")  # cap1: read ahead while t1 was on screen, and its picture decoded then
    assert window.session.item.id == "cap1"
    assert window.item_view.caption.image.has_image  # at once: no wait for a decode


def test_a_caption_image_not_read_ahead_is_decoded_off_the_ui_thread(qtbot, open_window, tmp_path):
    items = [it for it in small_items() if it.id in ("r1", "cap1")]
    window = open_window(build_project(tmp_path / "cap.sqlite", items))
    window.session.prefetch.forget()  # nothing read ahead
    page = window.item_view.caption
    qtbot.keyClick(window, "n")
    assert window.session.item.id == "cap1"
    qtbot.waitUntil(lambda: page.image.has_image)
    assert page.image.shown_size()[0] > 0


def test_rubric_criterion_rows_are_refilled_for_the_next_rubric(qtbot, open_window, project_path):
    window = open_window(project_path)
    assert window.session.item.id == "r1"
    page = window.item_view.rubric
    rows = list(page.rows)
    assert len(rows) == 4
    bodies = [row.body for row in rows[1:]]

    qtbot.keyClick(window, "n")  # r2: two criteria

    assert window.session.item.id == "r2"
    assert page.rows == rows[:3] and [row.body for row in page.rows[1:]] == bodies[:2]
    assert [row.body.text() for row in page.rows[1:]] == ["Mentions scattering of sunlight by air molecules.",
                                                          "The answer is comprehensive."]
    assert page.rows[0].heading.text().startswith("The rubric as a whole  (2 criteria)")
    assert not rows[3].isVisible()
    assert window.session.unit == "criterion:c1"
    qtbot.keyClick(window, "1")  # a chip on a refilled row: the row grows to hold it
    assert rows[1].chips.texts() and rows_fit(qtbot, page)
    qtbot.keyClick(window, "p")
    assert page.rows == rows and all(row.isVisible() for row in rows)
    assert rows[3].body.text() == "Uses the word 'lunch' at least three times."
    assert not rows[1].chips.texts() and rows_fit(qtbot, page)


def test_a_label_key_reads_no_labels_and_counts_no_progress(qtbot, open_window, project_path, monkeypatch):
    window = open_window(project_path)
    go_to(qtbot, window, "t1")
    session = window.session
    project = session.project
    reads: list[str] = []
    for_item, progress = project.labels.for_item, project.completion.progress
    monkeypatch.setattr(project.labels, "for_item", lambda *a, **k: reads.append("labels") or for_item(*a, **k))
    monkeypatch.setattr(project.completion, "progress", lambda *a: reads.append("progress") or progress(*a))
    shown = window.progress_label.text()

    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, "j")
    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)

    assert reads == []
    with Project.open(project_path) as other:
        stored = other.labels.for_item("t1", annotator="alice")
    key = sorted((lab.taxonomy, lab.target, lab.label) for lab in stored)
    assert key == sorted((lab.taxonomy, lab.target, lab.label) for lab in session.labels) and len(key) == 1
    assert window.progress_label.text() == shown
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)  # done and next: the count changes, so it is asked again
    assert "progress" in reads and window.progress_label.text() != shown


def test_caption_rows_and_their_verdict_buttons_are_refilled(qtbot, open_window, tmp_path):
    first = next(it for it in small_items() if it.id == "cap1")
    second = first.model_copy(update={"id": "cap2", "caption": "Two boxes.",
                                      "criteria": (Criterion(id="k1", text="Counts the boxes."),)})
    window = open_window(build_project(tmp_path / "caps.sqlite", [first, second]))
    page = window.item_view.caption
    assert window.session.item.id == "cap1"
    rows = list(page.rows)
    buttons = page.verdicts["criterion:c1"]

    qtbot.keyClick(window, "n")

    assert window.session.item.id == "cap2"
    assert page.rows == rows[:2] and page.rows[0].text_view.text == "Two boxes."
    assert page.verdicts["criterion:k1"] == buttons and page.rows[1].body.text() == "Counts the boxes."
    assert not rows[2].isVisible()
    next(b for b in buttons.values() if b.text().startswith("3")).click()  # the refilled button: on k1 now
    with Project.open(window.project.url) as project:
        stored = project.labels.for_item("cap2", annotator="alice")
    assert [(lab.target, lab.label) for lab in stored] == [("criterion:k1", "met")]
    assert next(b for b in buttons.values() if b.text().startswith("3")).isChecked()


def test_while_the_keys_rest_the_steps_below_the_screen_are_laid_out(qtbot, open_window, tmp_path):
    path = build_project(tmp_path / "long.sqlite", [long_trace("long", 40)])
    window = open_window(path)
    page = window.item_view.trace
    idle = page._ahead.interval()
    page._ahead.setInterval(3_600_000)  # no work ahead until the screen has settled
    page._ahead.start()
    qtbot.waitUntil(lambda: all(r.text_view.laid_out for r in on_screen(page) if r.text_view is not None))
    qtbot.wait(20)
    shown = on_screen(page)
    below = page.rows[page.rows.index(shown[-1]) + 1]  # the first step under the bottom edge
    assert not below.text_view.laid_out
    page._ahead.setInterval(idle)
    page._ahead.start()
    qtbot.waitUntil(lambda: below.text_view.laid_out)
    assert below not in on_screen(page) and below.text_view.height() == real_height(below.text_view)
    assert not page.rows[35].text_view.laid_out  # far below: not worth it yet
    assert on_screen(page) == shown  # nothing on screen moved
