"""Fixtures for the app's tests: headless Qt, settings in a temporary file, small projects built in place,
and a factory that opens the real main window on a project like a user would."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, QStandardPaths
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from annotator.core.model import Criterion, Item, Step
from annotator.core.store import Project
from annotator.core.store.items import ItemStore
from annotator.gui.background import wait_for_all
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import AppSettings
from pytestqt.qtbot import QtBot

# A test's waits (`timeout=` of waitSignal, waitSignals, waitUntil) guard against a hang; they are not time
# budgets. On a loaded machine, or beside another pytest worker, a background computation can take many times
# its usual time, so every wait is given at least this long: a test fails because a signal never comes, never
# because the machine was busy. (No test here waits on purpose for a timeout to expire.)
HANG_GUARD_MS = 300_000


def _patient(wait):
    def patient_wait(self, *args, **kwargs):
        kwargs["timeout"] = max(kwargs.get("timeout", 5000) or 0, HANG_GUARD_MS)
        return wait(self, *args, **kwargs)

    patient_wait.__doc__ = wait.__doc__
    return patient_wait


for _name in ("waitSignal", "waitSignals", "waitUntil", "waitCallback"):
    setattr(QtBot, _name, _patient(getattr(QtBot, _name)))


def png_bytes(width: int = 320, height: int = 200) -> bytes:
    """A small picture drawn on the spot: two coloured boxes on white."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.fillRect(20, 40, 90, 90, QColor("#d62728"))
    painter.fillRect(180, 60, 110, 70, QColor("#1f77b4"))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def small_items() -> list[Item]:
    """Two rubrics, one caption and two traces, written for these tests."""
    return [
        Item(id="r1", kind="rubric", source="unit-tests", prompt="Write a short note inviting the team to a "
             "Friday lunch. Mention the place and the time.",
             criteria=(Criterion(id="c1", text="The note is friendly and clear.", points=2),
                       Criterion(id="c2", text="States the place and the time and is under 80 words.", points=3,
                                 axis="completeness"),
                       Criterion(id="c3", text="Uses the word 'lunch' at least three times.", weight=0.5))),
        Item(id="r2", kind="rubric", source="unit-tests", prompt="Explain why the sky looks blue at noon.",
             criteria=(Criterion(id="c1", text="Mentions scattering of sunlight by air molecules."),
                       Criterion(id="c2", text="The answer is comprehensive."))),
        Item(id="cap1", kind="caption", source="unit-tests", image="boxes.png",
             caption="A red square sits on the left and a blue rectangle on the right, on a white ground. "
                     "A green circle is in the middle.",
             criteria=(Criterion(id="c1", text="Names both coloured shapes."),
                       Criterion(id="c2", text="Says which shape is on the left."))),
        Item(id="t1", kind="trace", source="unit-tests", domain="algebra",
             problem="Solve x^2 - 5x + 6 = 0 and give the larger root.",
             steps=(Step(id="s1", text="We want the roots of x^2 - 5x + 6."),
                    Step(id="s2", text="The factors are (x - 2)(x - 4), so x = 2 or x = 4."),
                    Step(id="s3", text="The larger root is 4.")),
             answer="4", reference_answer="3"),
        Item(id="t2", kind="trace", source="other-set", problem="What is 12 times 12?",
             steps=(Step(id="s1", text="12 times 12 is 144."),), answer="144", reference_answer="$144$"),
    ]


def build_project(path, items: list[Item] | None = None) -> str:
    """A project holding `items` (the small set by default), images stored as the importer stores them."""
    items = small_items() if items is None else items
    image = png_bytes()
    import hashlib
    sha = hashlib.sha256(image).hexdigest()
    images = {it.id: (sha, image) for it in items if it.image}
    shutil.copyfile(_empty_project(), path)
    with Project.open(path) as project:
        project.db.write(lambda conn: ItemStore.insert_batch(conn, items, 1, images))
    return str(path)


_TEMPLATE: list[Path] = []


def _empty_project() -> Path:
    """A new, empty project file made once per test process (creating one runs the migrations); callers copy it."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="annotator-template-"))
        atexit.register(shutil.rmtree, folder, True)
        Project.create(folder / "empty.sqlite").close()
        _TEMPLATE.append(folder / "empty.sqlite")
    return _TEMPLATE[0]


@pytest.fixture
def settings(tmp_path) -> AppSettings:
    QStandardPaths.setTestModeEnabled(True)
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def project_path(tmp_path) -> str:
    return build_project(tmp_path / "team.sqlite")


@pytest.fixture
def open_window(qtbot, settings):
    """`open_window(path)` shows the main window on a project, waits until it is open and has the keyboard."""
    windows: list[MainWindow] = []

    def factory(path: str, annotator: str = "alice") -> MainWindow:
        window = MainWindow(settings, annotator)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(window.projectOpened, timeout=20_000):
            window.open_project(path)
        window.activateWindow()
        window.setFocus()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        qtbot.waitUntil(lambda: window.session is not None and window.session.item is not None, timeout=5000)
        return window

    yield factory
    for window in windows:
        window.close()
    wait_for_all()
