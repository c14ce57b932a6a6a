"""View > Team progress shows each annotator's work against the plan once their packs are merged back."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator.core.assign import plan_assignment, write_packs
from annotator.core.merge import merge_projects
from annotator.core.store import Project
from annotator.gui.team_progress import TeamProgressDialog


def _table_text(dialog: TeamProgressDialog) -> list[list[str]]:
    model = dialog.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_progress_after_a_pack_comes_back(qtbot, open_window, project_path, tmp_path):
    with Project.open(project_path) as lead:
        plan = plan_assignment(lead.items.ids(), ["ana", "ben"], overlap=1, shared=1, seed=0)
        write_packs(lead, plan, tmp_path / "packs")
    with Project.open(tmp_path / "packs" / "ana.sqlite") as pack:
        first = pack.items.ids()[0]
        tax = pack.taxonomies.for_kind(pack.items.get(first).kind)[0].id
        pack.completion.set_done(first, tax, "ana")
    with Project.open(project_path) as lead:
        merge_projects(lead, [tmp_path / "packs" / "ana.sqlite", tmp_path / "packs" / "ben.sqlite"])
    window = open_window(project_path)
    seen = []

    def look() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, TeamProgressDialog))
        seen.append(_table_text(dialog))
        dialog.reject()

    QTimer.singleShot(300, look)
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    rows = {row[0]: row for row in seen[0]}
    assert set(rows) == {"ana", "ben"}
    assert rows["ana"][1] == str(len(plan.packs["ana"]))
    assert rows["ana"][2] == "1"
    assert "1" in rows["ana"][3:]  # one item done in its taxonomy
    assert rows["ben"][3] == "0"


def test_without_a_plan_the_dialog_says_how_to_make_one(qtbot, open_window, project_path):
    window = open_window(project_path)
    dialog = TeamProgressDialog(window.project, window)
    qtbot.addWidget(dialog)
    assert "annotator assign" in dialog.summary.text()
    assert dialog.model.rowCount() == 0
