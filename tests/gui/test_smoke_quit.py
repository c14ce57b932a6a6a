"""The built app's self-test path: `annotator PROJECT` opens the app on the project (as a desktop entry calls
it) and, with ANNOTATOR_SMOKE_QUIT_MS set, quits cleanly by itself that long after the project opened, with exit
0 and without asking a name (a project that does not open would exit 1)."""

import os
import shutil
import subprocess
import sys

from conftest import build_project


def test_annotator_project_opens_and_quits_by_itself(tmp_path):
    project = build_project(tmp_path / "smoke.sqlite")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ANNOTATOR_SMOKE_QUIT_MS="100",
               HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), ANNOTATOR_HOME=str(tmp_path / "home"))
    exe = shutil.which("annotator")
    cmd = [exe, project] if exe else [sys.executable, "-m", "annotator.cli", project]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    # nothing was remembered as the annotator's name
    settings_files = list((tmp_path / "config").rglob("*.conf"))
    assert all("smoke-test" not in f.read_text(errors="replace") for f in settings_files)
