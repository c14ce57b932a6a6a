"""The project picker also opens a team project on a database server, by URL."""

from PySide6.QtWidgets import QInputDialog

from annotator.gui.dialogs import ProjectPicker


def test_team_server_url(qtbot, monkeypatch):
    picker = ProjectPicker([], sample_available=False)
    qtbot.addWidget(picker)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("  postgresql://alice@db.example/rubrics ", True))
    picker._server()
    assert picker.chosen == "postgresql://alice@db.example/rubrics" and picker.create
    assert picker.result() == ProjectPicker.DialogCode.Accepted


def test_an_empty_or_cancelled_url_chooses_nothing(qtbot, monkeypatch):
    picker = ProjectPicker([], sample_available=False)
    qtbot.addWidget(picker)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("postgresql://", True))
    picker._server()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("postgresql://x/y", False))
    picker._server()
    assert picker.chosen is None


def test_the_app_annotates_a_team_project_on_postgresql(qtbot, open_window):
    """The same window on a server project: open by URL, label by keyboard, the label is on the server."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from backends import fresh_postgres_database
    from conftest import small_items

    from annotator.core.store import Project
    from annotator.core.store.items import ItemStore

    with fresh_postgres_database() as url:
        with Project.create(url) as project:
            rubrics = [it for it in small_items() if it.kind == "rubric"]
            project.db.write(lambda conn: ItemStore.insert_batch(conn, rubrics, 1))
        window = open_window(url)
        window.item_view.setFocus()
        qtbot.keyClick(window, "j")
        qtbot.keyClick(window, "1")
        with Project.open(url) as project:
            labels = project.labels.for_item("r1", "rift", "alice")
        assert [lab.label for lab in labels] == ["subjective"]
        window.close()  # lets go of the database before it is dropped
