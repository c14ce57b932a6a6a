"""Starting the desktop app: `run_app(project_path, demo)` is what `annotator`, `annotator demo` and
`annotator gui PROJECT` call; `python -m annotator.gui.app [PROJECT]` does the same from a checkout.

With no project named, the app opens the last project, or the first time builds and opens the sample project.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from .background import wait_for_all
from .dialogs import NameDialog, ProjectPicker
from .main_window import MainWindow
from .settings import AppSettings


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("annotator")
    app.setApplicationName("annotator")
    app.setStyleSheet(style_sheet())
    icon = resources.files("annotator.resources").joinpath("icons", "annotator.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def style_sheet() -> str:
    sheet = resources.files("annotator.resources").joinpath("style.qss")
    return sheet.read_text(encoding="utf-8") if sheet.is_file() else ""


SAMPLE = "<sample>"  # stands for the sample project, built (off the UI thread) when first opened


def ask_name(settings: AppSettings) -> str | None:
    if settings.annotator:
        return settings.annotator
    dialog = NameDialog()
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.name:
        return None
    settings.annotator = dialog.name
    return dialog.name


def choose_project(settings: AppSettings, project_path: str | None, demo: bool,
                   ask: bool = True) -> tuple[str, bool] | None:
    """(path, create) of the project to open (path SAMPLE for the sample project), asking with the picker
    when nothing else decides."""
    if project_path:
        return project_path, False
    if demo:
        return SAMPLE, False
    last = settings.last_project
    if last and ("://" in last or Path(last).exists()):
        return last, False
    if last is None and not settings.recent_projects():
        return SAMPLE, False  # the first run: something to try at once
    if not ask:
        return None
    picker = ProjectPicker(settings.recent_projects())
    if picker.exec() != QDialog.DialogCode.Accepted:
        return None
    if picker.sample:
        return SAMPLE, False
    return (picker.chosen, picker.create) if picker.chosen else None


def run_app(project_path: str | None, demo: bool = False, *, annotator: str | None = None,
            settings: QSettings | None = None) -> int:
    """Run the app until its window closes; the exit code for the console script."""
    app = application()
    prefs = AppSettings(settings)
    smoke_ms = os.environ.get("ANNOTATOR_SMOKE_QUIT_MS", "").strip()
    if annotator:
        prefs.annotator = annotator
    if smoke_ms and not prefs.annotator:
        name = "smoke-test"  # a built app's self-test has nobody to answer the name dialog; nothing is remembered
    else:
        name = ask_name(prefs)
    if not name:
        return 1
    chosen = choose_project(prefs, project_path, demo)
    if chosen is None:
        print("annotator: no project chosen", file=sys.stderr)
        return 1
    window = MainWindow(prefs, name)
    window.show()
    if smoke_ms:
        # A self-test of a built app: quit cleanly once the window has opened the project and had smoke_ms to
        # draw itself, counted from the opening (a slow machine is given the time it takes to open); a project
        # that does not open fails the self-test instead of passing it by a timer.
        def failed(message: str) -> None:
            print(f"annotator: {message}", file=sys.stderr)
            app.exit(1)

        window.projectOpened.connect(lambda: QTimer.singleShot(int(smoke_ms), window.close))
        window.projectFailed.connect(failed)
    path, create = chosen
    if path == SAMPLE:
        window.open_sample()
    else:
        window.open_project(path, create)
    code = app.exec()
    wait_for_all()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m annotator.gui.app", description="the annotator desktop app")
    parser.add_argument("project", nargs="?", help="a project file (.sqlite) or database URL")
    parser.add_argument("--demo", action="store_true", help="build and open the sample project")
    parser.add_argument("--annotator", help="annotate under this name (remembered)")
    args = parser.parse_args(argv)
    return run_app(args.project, args.demo, annotator=args.annotator)


if __name__ == "__main__":
    sys.exit(main())
