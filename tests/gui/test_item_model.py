"""The item list's lazy model: Qt's model checks, and bounded page fetches on a 100,000-item project."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from annotator.core.model import Criterion, Item
from annotator.core.store import ItemFilter, Project
from annotator.core.store.items import ItemStore
from annotator.gui.item_model import PAGE, ItemTableModel

BIG = 100_000
EVERY_ITEM = ItemFilter()


def test_item_model_passes_qt_model_checks(qtmodeltester, project_path):
    with Project.open(project_path) as project:
        model = ItemTableModel(project.items, lambda s: s.kind == "rubric")
        qtmodeltester.check(model)
        assert model.rowCount() == 5
        assert [model.item_id(r) for r in range(5)] == ["r1", "r2", "cap1", "t1", "t2"]
        assert model.data(model.index(0, 3)) == "done" and model.data(model.index(3, 3)) == "to do"
        model.set_filter(ItemFilter(kind="trace"))
        qtmodeltester.check(model)
        assert model.rowCount() == 2 and model.row_of("t2") == 1 and model.row_of("r1") is None


@pytest.fixture(scope="module")
def big_project(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("big") / "big.sqlite"
    # the size is the point (the list must stay lazy on a project this big); copies of one validated item take
    # a third of the time of validating 100,000
    first = Item(id="r000000", kind="rubric", source="set0", prompt="Task number 0.",
                 criteria=(Criterion(id="c1", text="Is correct."),))
    items = [first.model_copy(update={"id": f"r{i:06d}", "source": f"set{i % 7}", "prompt": f"Task number {i}."})
             for i in range(BIG)]
    with Project.create(path) as project:
        for start in range(0, BIG, 20_000):
            chunk = items[start:start + 20_000]
            project.db.write(lambda conn, chunk=chunk, start=start: ItemStore.insert_batch(conn, chunk, start + 1))
    return str(path)


def test_big_project_opens_and_scrolls_without_loading_every_item(qtbot, open_window, big_project, monkeypatch):
    calls: list[tuple[int, int]] = []
    real_page = ItemStore.page

    def counting_page(self, f=EVERY_ITEM, offset=0, limit=200):
        calls.append((offset, limit))
        return real_page(self, f, offset, limit)

    monkeypatch.setattr(ItemStore, "page", counting_page)
    window = open_window(big_project)
    table = window.item_list.table
    assert window.item_list.model.rowCount() == BIG
    table.scrollToBottom()
    QApplication.processEvents()
    table.scrollTo(window.item_list.model.index(BIG // 2, 0))
    QApplication.processEvents()
    qtbot.keyClick(window, "n")
    assert window.session.item.id == "r000001"
    fetched = sum(limit for _offset, limit in calls)
    assert len(calls) <= 10, calls
    assert fetched <= 10 * PAGE
    assert {offset for offset, _l in calls} >= {0, (BIG - 1) // PAGE * PAGE}  # it did reach the bottom
