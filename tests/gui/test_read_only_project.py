"""A project the user cannot write (a read-only file system) opens in the app read-only: it shows everything, the
title says read-only, and a label key says why nothing was saved instead of failing to open (issue 14)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mounts import on_read_only_file_system


def test_a_read_only_project_opens_and_label_keys_say_it_is_read_only(qtbot, open_window, project_path, tmp_path):
    with on_read_only_file_system(Path(project_path), tmp_path) as path:
        before = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        window = open_window(str(path))
        try:
            assert "(read-only)" in window.windowTitle()
            assert window.session.item.id == "r1"
            qtbot.keyClick(window, "1")
            assert "read-only" in window.statusBar().currentMessage()
            assert window.session.project.labels.count() == 0
        finally:
            window.close_project()
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == before
