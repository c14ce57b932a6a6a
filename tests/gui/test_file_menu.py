"""The File menu's background operations: importing items (good and bad files), labels, export and merge."""

from __future__ import annotations

import json

from conftest import build_project
from PySide6.QtCore import Qt

from annotator.core.errors import InputError
from annotator.core.store import Project


def wait_done(qtbot, window):
    qtbot.waitUntil(lambda: window.file_actions.task is not None and not window.file_actions.task.running,
                    timeout=20_000)


def test_import_items_adds_them_to_the_list(qtbot, open_window, project_path, tmp_path):
    window = open_window(project_path)
    data = tmp_path / "more.jsonl"
    data.write_text("\n".join(json.dumps({"id": f"n{i}", "kind": "rubric", "source": "new", "prompt": f"Task {i}",
                                          "criteria": ["Is short.", "Is polite."]}) for i in range(3)) + "\n")
    window.file_actions.import_items([str(data)])
    wait_done(qtbot, window)
    assert window.file_actions.last_error is None, window.file_actions.last_error
    assert window.item_list.model.rowCount() == 8
    assert "imported 3 items" in window.statusBar().currentMessage()
    assert window.item_list.source.findData("new") >= 0


def test_a_bad_file_imports_nothing_and_lists_every_problem(qtbot, open_window, project_path, tmp_path):
    window = open_window(project_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x1", "kind": "rubric", "prompt": "ok", "criteria": ["a"]}\n'
                   '{"id": "x2", "kind": "poem"}\n'
                   'not json at all\n')
    window.file_actions.import_items([str(bad)])
    wait_done(qtbot, window)
    assert isinstance(window.file_actions.last_error, InputError)
    dialog = window.file_actions.problems
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.toPlainText()
    assert "bad.jsonl:2" in text and "bad.jsonl:3" in text
    assert window.item_list.model.rowCount() == 5
    with Project.open(project_path) as p:
        assert not p.items.exists("x1")


def test_import_labels_export_and_merge(qtbot, open_window, project_path, tmp_path):
    window = open_window(project_path)
    labels = tmp_path / "bob.csv"
    labels.write_text("item_id,item_kind,taxonomy,annotator,target,label,note,created_at\n"
                      "r1,rubric,rift,bob,criterion:c2,non_atomic,,2025-01-01T10:00:00+00:00\n")
    window.file_actions.import_labels([str(labels)])
    wait_done(qtbot, window)
    assert window.file_actions.last_error is None, window.file_actions.last_error
    with Project.open(project_path) as p:
        assert [lab.label for lab in p.labels.for_item("r1", annotator="bob")] == ["non_atomic"]

    qtbot.keyClick(window, "1")
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # only done items export
    out = tmp_path / "out.csv"
    window.file_actions.export_labels({"out": str(out), "wide": False, "gold": False, "taxonomy": "rift",
                                       "annotator": None})
    wait_done(qtbot, window)
    assert window.file_actions.last_error is None, window.file_actions.last_error
    text = out.read_text()
    assert "bob" in text and "alice" in text and "subjective" in text

    other = build_project(tmp_path / "laptop2.sqlite")
    with Project.open(other) as p:
        p.labels.add("t1", "reasoning_errors", "carol", "step:s2", "calculation")
    window.file_actions.merge_projects([other])
    wait_done(qtbot, window)
    assert window.file_actions.last_error is None, window.file_actions.last_error
    with Project.open(project_path) as p:
        assert "carol" in p.annotators()


def test_export_dialog_can_leave_out_unfinished_work(qtbot, open_window, project_path, tmp_path):
    from annotator.gui.dialogs import ExportDialog

    with Project.open(project_path) as p:
        p.labels.add("r1", "rift", "bob", "criterion:c1", "subjective")
        p.labels.add("r2", "rift", "bob", "criterion:c2", "non_atomic")
        p.completion.set_done("r1", "rift", "bob", True)
    window = open_window(project_path)
    out = tmp_path / "done.csv"

    dialog = ExportDialog(["rift"], ["bob"], window)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(out))
    assert not dialog.done_only.isChecked()  # unfinished work is exported unless asked otherwise
    qtbot.mouseClick(dialog.done_only, Qt.MouseButton.LeftButton)
    assert dialog.done_only.isChecked()
    window.file_actions.export_labels(dialog.options())
    wait_done(qtbot, window)
    assert window.file_actions.last_error is None, window.file_actions.last_error
    rows = out.read_text().splitlines()
    assert any(row.startswith("r1,") and "subjective" in row for row in rows)
    assert not any(row.startswith("r2,") for row in rows)
