"""Adjudication by keyboard: gold set from the dialog is in the project (read back through a fresh Project),
Ctrl+Z restores what was there before, settled disagreements are marked in the list."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.core.store import Project
from annotator.core.taxonomy import Taxonomy
from annotator.gui.adjudication import (
    AdjudicationDialog,
    GoldDecisions,
    majority,
    target_kind,
    unit_text,
)
from annotator.gui.agreement_view import AgreementView
from annotator.gui.background import wait_for_all

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="module")
def built(module_sample) -> str:
    return module_sample


@pytest.fixture
def sample_path(built, tmp_path) -> str:
    """A copy of the sample project per test, since these tests write gold."""
    path = tmp_path / "s.sqlite"
    shutil.copy(built, path)
    return str(path)


@pytest.fixture
def view(qtbot, sample_path):
    project = Project.open(sample_path)
    v = AgreementView()
    qtbot.addWidget(v)
    v.resamples.setValue(0)
    v.bind(project, "alice")
    yield v
    if v.dialog is not None:
        v.dialog.close()
    v.cancel()
    wait_for_all()
    project.close()


def compute(qtbot, view: AgreementView, taxonomy: str = "rift") -> None:
    if view.taxonomy_box.currentData() != taxonomy:
        view.set_taxonomy(taxonomy)
    with qtbot.waitSignal(view.computed, timeout=30_000):
        view.compute()


def open_dialog(qtbot, view: AgreementView) -> AdjudicationDialog:
    view.show()
    qtbot.waitExposed(view)
    view.tabs.setCurrentIndex(view.disagreements_index)
    view.disagreement_table.setFocus()
    view.disagreement_table.selectRow(0)
    view.disagreement_table.setCurrentIndex(view.disagreement_filter.index(0, 0))
    qtbot.keyClick(view.disagreement_table, Qt.Key.Key_Return)
    dialog = view.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


def fresh_gold(path: str, item_id: str, taxonomy: str, target: str):
    with Project.open(path) as project:
        return project.gold.get(item_id, taxonomy, target)


def key_of(dialog: AdjudicationDialog, label: str) -> Qt.Key:
    key = next(ldef.key for ldef in dialog.labels_here if ldef.id == label)
    return Qt.Key(Qt.Key.Key_0.value + int(key))


def test_two_disagreements_settled_by_keyboard(qtbot, view, sample_path):
    compute(qtbot, view)
    dialog = open_dialog(qtbot, view)
    first, second = view.visible_disagreements()[:2]
    assert dialog.current == first

    # the first: take the majority with m, save and move on with Ctrl+Enter
    expected_first, _ = majority(first["labels"], view.taxonomy)
    qtbot.keyClick(dialog, Qt.Key.Key_M)
    assert dialog.selection == expected_first
    qtbot.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    assert dialog.current == second

    # the second: toggle a label somebody gave, by its number key, then Enter
    given = sorted({lab for labs in second["labels"].values() for lab in labs}, key=view.taxonomy.label_ids.index)
    label = given[0]
    qtbot.keyClick(dialog, key_of(dialog, label))
    assert dialog.selection == [label]
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.status.text() == "✓ settled"

    gold = fresh_gold(sample_path, first["item_id"], "rift", first["target"])
    assert gold is not None and list(gold.labels) == expected_first and gold.reviewer == "alice"
    gold = fresh_gold(sample_path, second["item_id"], "rift", second["target"])
    assert gold is not None and gold.labels == (label,) and gold.reviewer == "alice"

    # both are marked settled in the list
    model = view.disagreement_model
    assert model.settled_count() == 2
    assert model.data(model.index(1, model.columnCount() - 1)).startswith("✓")
    assert view.tabs.tabText(view.disagreements_index) == f"Disagreements ({len(view.rows) - 2} open)"
    view.open_only.setChecked(True)
    assert view.disagreement_filter.rowCount() == len(view.rows) - 2

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_ctrl_z_undoes_the_last_gold_decision(qtbot, view, sample_path):
    compute(qtbot, view)
    dialog = open_dialog(qtbot, view)
    d = dialog.current
    labels = [ldef.id for ldef in dialog.labels_here]

    qtbot.keyClick(dialog, key_of(dialog, labels[0]))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.keyClick(dialog, key_of(dialog, labels[0]))  # off again
    qtbot.keyClick(dialog, key_of(dialog, labels[1]))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert fresh_gold(sample_path, d["item_id"], "rift", d["target"]).labels == (labels[1],)

    qtbot.keyClick(dialog, Qt.Key.Key_Z, CTRL)  # back to the first decision
    assert fresh_gold(sample_path, d["item_id"], "rift", d["target"]).labels == (labels[0],)
    assert dialog.selection == [labels[0]]
    qtbot.keyClick(dialog, Qt.Key.Key_Z, CTRL)  # back to no gold at all
    assert fresh_gold(sample_path, d["item_id"], "rift", d["target"]) is None
    assert view.disagreement_model.settled_count() == 0
    assert dialog.status.text() == "open"
    qtbot.keyClick(dialog, Qt.Key.Key_Z, CTRL)
    assert dialog.message.text() == "nothing to undo"


def test_undo_puts_back_gold_someone_else_set(qtbot, sample_path):
    with Project.open(sample_path) as project:
        tax = project.taxonomies.get("rift")
        project.gold.set("code-02", "rift", "item", ["low_signal"], "bob")
        decisions = GoldDecisions(project, tax, "alice")
        seen = []
        decisions.changed.connect(lambda i, t: seen.append((i, t)))
        change = decisions.decide("code-02", "item", [])
        assert change.previous is not None and change.previous.labels == ("low_signal",)
        assert decisions.undo() == change
        assert decisions.undo() is None
        assert seen == [("code-02", "item")] * 2
    gold = fresh_gold(sample_path, "code-02", "rift", "item")
    assert gold.labels == ("low_signal",) and gold.reviewer == "bob"


def test_single_choice_keys_pick_one_label(qtbot, view, sample_path):
    compute(qtbot, view, "caption_verdict")
    dialog = open_dialog(qtbot, view)
    d = dialog.current
    ids = [ldef.id for ldef in dialog.labels_here]
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert "pick one" in dialog.message.text()  # nothing chosen yet: single choice needs one
    assert fresh_gold(sample_path, d["item_id"], "caption_verdict", d["target"]) is None
    qtbot.keyClick(dialog, key_of(dialog, ids[0]))
    qtbot.keyClick(dialog, key_of(dialog, ids[2]))
    assert dialog.selection == [ids[2]]
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert fresh_gold(sample_path, d["item_id"], "caption_verdict", d["target"]).labels == (ids[2],)


def test_the_dialog_shows_every_annotator_and_the_unit_text(qtbot, view):
    compute(qtbot, view)
    dialog = open_dialog(qtbot, view)
    d = dialog.current
    item = view.project.items.get(d["item_id"])
    heading, text = unit_text(item, d["target"])
    assert dialog.unit_heading.text() == heading and dialog.unit_body.text() == text
    shown = [dialog.grid.itemAtPosition(0, c).widget().text() for c in range(dialog.grid.columnCount())]
    assert shown == ["key", "label", *d["labels"], "votes", "gold"]
    assert [ldef.target for ldef in dialog.labels_here] == [target_kind(d["target"])] * len(dialog.labels_here)
    qtbot.keyClick(dialog, Qt.Key.Key_N)
    assert dialog.index == 1
    qtbot.keyClick(dialog, Qt.Key.Key_P)
    assert dialog.index == 0
    assert view.disagreement_table.currentIndex().row() == 0


MULTI = Taxonomy.model_validate({"id": "m", "name": "M", "labels": [
    {"id": "a", "name": "A", "target": "item"}, {"id": "b", "name": "B", "target": "item"}]})
SINGLE = Taxonomy.model_validate({"id": "s", "name": "S", "choice": "single", "labels": [
    {"id": "x", "name": "X", "target": "item"}, {"id": "y", "name": "Y", "target": "item"}]})


def test_majority_follows_the_design():
    # multi-choice: labels given by more than half of those who finished
    assert majority({"p": ["a", "b"], "q": ["a"], "r": []}, MULTI)[0] == ["a"]
    assert majority({"p": ["a"], "q": []}, MULTI)[0] == []  # one of two is not more than half
    # single choice: the plurality, none on a tie
    assert majority({"p": ["x"], "q": ["x"], "r": ["y"]}, SINGLE)[0] == ["x"]
    chosen, why = majority({"p": ["x"], "q": ["y"]}, SINGLE)
    assert chosen is None and "tie" in why


def test_the_dialog_proposes_the_reliability_models_answer(qtbot, view, sample_path):
    """Beside the majority (m), the dialog shows Dawid-Skene's answer for the unit once fitted; d takes it and
    Enter saves it as gold."""
    from annotator.core.stats.reliability import proposals

    compute(qtbot, view)
    dialog = open_dialog(qtbot, view)
    qtbot.waitUntil(lambda: dialog.proposals is not None, timeout=30_000)
    first = dialog.current
    expected = proposals(view.data, "dawid-skene", view.annotator_list.chosen())[(first["item_id"], first["target"])]
    assert "Dawid-Skene" in dialog.model_line.text()
    qtbot.keyClick(dialog, Qt.Key.Key_D)
    if expected is None:
        assert "cannot decide" in dialog.message.text()
        return
    assert dialog.selection == list(expected)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    gold = fresh_gold(sample_path, first["item_id"], "rift", first["target"])
    assert gold is not None and gold.labels == tuple(expected)
