"""The user guide stays true to the app: its pictures exist, its command lines parse, its keys are bound.

Docs rot silently: a flag renamed in the parser or a key dropped from the main window leaves a page that
looks fine and misleads every reader. These checks read the Markdown under docs/ the way a reader would and
hold each claim against the real parser and the real window.

Command lines in fenced code blocks must parse whole. A fenced block marked `synopsis` (the usage summary with
[optional] parts) is exempt, since it shows placeholders rather than runnable lines. Inline code that starts
with `annotator ` names a command in running text: its command words and its options must exist.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDES = ("README.md", "annotators.md", "team-leads.md", "formats.md")
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
INLINE = re.compile(r"(?<!`)`(annotator [^`]+)`(?!`)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s#]+\.md)(#[^)\s]*)?\)")
KEY_RANGE = re.compile(r"`(\d)`\s*[–-]\s*`(\d)`")
MAX_IMAGE_BYTES = 250_000


def guide_text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def without_fences(text: str) -> str:
    return FENCE.sub("", text)


def command_lines(text: str) -> list[str]:
    """Every `annotator ...` line of the code blocks a reader might copy, cut before any shell redirection."""
    found = []
    for lang, body in fenced_blocks(text):
        if lang in ("synopsis", "json", "yaml", "python", "text"):
            continue
        for line in body.splitlines():
            line = re.split(r" [>|] ", line.strip())[0]
            if line.startswith("annotator ") or line == "annotator":
                found.append(line)
    return found


def inline_commands(text: str) -> list[str]:
    """`annotator ...` in running text: usually a command's name with some of its options, not a whole line."""
    return INLINE.findall(without_fences(text))


# --- every guide exists and is reached from the index --------------------------------------------------------
@pytest.mark.parametrize("name", GUIDES)
def test_guide_exists(name: str) -> None:
    assert (DOCS / name).is_file()


def test_index_links_every_guide() -> None:
    linked = {m.group(1) for m in LINK.finditer(guide_text("README.md"))}
    assert set(GUIDES) - {"README.md"} <= linked


# --- pictures --------------------------------------------------------------------------------------------------
def linked_images() -> list[tuple[str, str]]:
    return [(name, m.group(1)) for name in GUIDES for m in IMAGE.finditer(guide_text(name))]


def test_guides_show_pictures() -> None:
    shown = {Path(target).name for _, target in linked_images()}
    # the annotators' views, the shortcut sheet, and the lead's three views must all be illustrated
    assert {"rubric.png", "trace.png", "caption.png", "shortcuts.png", "agreement.png", "adjudication.png",
            "metrics.png"} <= shown


@pytest.mark.parametrize(("page", "target"), linked_images())
def test_every_linked_image_exists(page: str, target: str) -> None:
    path = (DOCS / target).resolve()
    assert path.is_file(), f"{page} shows {target}, which is missing"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{target} is not a PNG"
    assert path.stat().st_size <= MAX_IMAGE_BYTES, f"{target} is {path.stat().st_size} bytes"


def test_every_picture_is_used() -> None:
    shown = {(DOCS / t).resolve() for _, t in linked_images()}
    unused = [p.name for p in sorted((DOCS / "images").glob("*.png")) if p.resolve() not in shown]
    assert not unused, f"pictures no page shows: {unused}"


def test_screenshot_script_takes_every_picture() -> None:
    script = (DOCS / "make_screenshots.sh").read_text(encoding="utf-8")
    taken = set(re.findall(r"^shoot (\w+) ", script, re.MULTILINE))
    assert {Path(t).stem for _, t in linked_images()} <= taken
    assert os.access(DOCS / "make_screenshots.sh", os.X_OK)


@pytest.mark.parametrize("name", GUIDES)
def test_links_between_pages_resolve(name: str) -> None:
    for m in LINK.finditer(guide_text(name)):
        target = DOCS / m.group(1)
        assert target.is_file(), f"{name} links to {m.group(1)}, which is missing"
        if m.group(2):
            assert m.group(2)[1:] in anchors(target.read_text(encoding="utf-8")), \
                f"{name} links to {m.group(1)}{m.group(2)}, which has no such heading"


def anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens."""
    out = set()
    for heading in re.findall(r"^#+ (.+)$", without_fences(text), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


# --- command lines ---------------------------------------------------------------------------------------------
def all_command_lines() -> list[tuple[str, str]]:
    return [(name, line) for name in GUIDES for line in command_lines(guide_text(name))]


def test_guides_show_commands() -> None:
    commands = {shlex.split(line, comments=True)[1:2][0] for _, line in all_command_lines()
                if len(shlex.split(line, comments=True)) > 1}
    for needed in ("init", "import", "check", "merge", "labels", "agreement", "f1", "alt-test", "export",
                   "predictions", "metrics", "judge", "items", "gui"):
        assert needed in commands, f"no example of `annotator {needed}` in the guides"


@pytest.mark.parametrize(("page", "line"), all_command_lines())
def test_command_line_parses(page: str, line: str) -> None:
    from annotator.cli import build_parser

    words = shlex.split(line, comments=True)
    assert words[0] == "annotator"
    try:
        args = build_parser().parse_args(words[1:])
    except SystemExit as exc:  # argparse reports a bad line by exiting
        pytest.fail(f"{page}: `{line}` does not parse (exit {exc.code})")
    if words[1:]:
        assert getattr(args, "func", None) is not None, f"{page}: `{line}` names no command"


def command_parser(words: list[str]) -> tuple[argparse.ArgumentParser, list[str]]:
    """The (sub)parser the command words lead to, and the words after them."""
    from annotator.cli import build_parser

    parser = build_parser()
    while words:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or words[0] not in subs[0].choices:
            break
        parser, words = subs[0].choices[words[0]], words[1:]
    return parser, words


@pytest.mark.parametrize(("page", "span"),
                         [(name, span) for name in GUIDES for span in inline_commands(guide_text(name))])
def test_inline_command_exists(page: str, span: str) -> None:
    words = shlex.split(span)[1:]
    parser, rest = command_parser(words)
    if words:
        assert parser.prog != "annotator", f"{page}: `{span}` names no command"
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert not subs, f"{page}: `{span}` stops before naming an action ({', '.join(subs[0].choices)})"
    options = {o for a in parser._actions for o in a.option_strings}
    for word in rest:
        if word.startswith("-"):
            assert word.split("=")[0] in options, f"{page}: `{span}`: {parser.prog} has no option {word}"


def test_a_wrong_command_line_would_be_caught() -> None:
    """The check above can fail: a misspelt flag is refused by the same parser."""
    from annotator.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(shlex.split("agreement team.sqlite --taxnomy rift"))


def test_documented_formats_are_the_readers() -> None:
    """Each `--format` name the format reference gives a section to is one the importer knows, none is left
    out, and its table lists them in the order `auto` asks them."""
    from annotator.core.formats.registry import FORMATS

    text = guide_text("formats.md")
    documented = set(re.findall(r"^### .*\(`([\w-]+)`\)", text, re.MULTILINE))
    assert documented | {"items"} == set(FORMATS)
    table = text[text.index("## Published formats"):text.index("### AdvancedIF")]
    assert re.findall(r"^\| `(\w[\w-]*)` \| ", table, re.MULTILINE) == list(FORMATS)


def test_each_published_example_is_read_as_its_format(tmp_path: Path) -> None:
    """The example record under each format's heading is told apart as that format and reads without a problem."""
    from annotator.core.formats import read_records

    text = guide_text("formats.md")
    sections = re.split(r"^### ", text[text.index("## Published formats"):text.index("## Labels CSV")],
                        flags=re.MULTILINE)[1:]
    checked = 0
    for section in sections:
        name = re.match(r".*\(`([\w-]+)`\)", section).group(1)
        for lang, body in fenced_blocks(section):
            if lang != "json":
                continue
            path = tmp_path / f"{name}.jsonl"
            path.write_text(body.strip() + "\n", encoding="utf-8")
            chosen: list[str] = []
            assert list(read_records(path, chosen=chosen.append)), name
            assert chosen == [name]
            checked += 1
    assert checked >= 11


def test_format_examples_are_valid_json() -> None:
    import json

    for lang, body in fenced_blocks(guide_text("team-leads.md")):
        if lang == "json":
            assert isinstance(json.loads(body), dict)


def test_taxonomy_example_loads(tmp_path: Path) -> None:
    from annotator.core.taxonomy import load_taxonomy

    yamls = [body for lang, body in fenced_blocks(guide_text("team-leads.md")) if lang == "yaml"]
    assert yamls
    path = tmp_path / "example.yaml"
    path.write_text(yamls[0], encoding="utf-8")
    tax = load_taxonomy(str(path))
    assert tax.choice == "single" and tax.scale == "ordinal" and len(tax.labels) == 3


# --- keys --------------------------------------------------------------------------------------------------------
def table_keys(section: str) -> list[str]:
    """The keys in the first column of a Markdown key table, a `1`–`9` range spelled out."""
    keys: list[str] = []
    for row in re.findall(r"^\| (.+?) \|", section, re.MULTILINE):
        if row.strip() in ("Keys", "---"):
            continue
        for lo, hi in KEY_RANGE.findall(row):
            keys += [str(d) for d in range(int(lo), int(hi) + 1)]
        keys += re.findall(r"`([^`]+)`", KEY_RANGE.sub("", row))
    return keys


def documented_keys() -> list[str]:
    """The keys of the annotators' key table."""
    text = guide_text("annotators.md")
    return table_keys(text.split("## Keys", 1)[1].split("\n## ", 1)[0])


def test_key_table_lists_the_brief_keys() -> None:
    keys = set(documented_keys())
    for needed in ("n", "p", "j", "k", "t", "/", "Esc", "+", "-", "0", "F1", "?", "Ctrl+Enter", "Ctrl+Z",
                   "Ctrl+Shift+Z", *"123456789"):
        assert needed in keys, f"the key table leaves out {needed}"


@pytest.fixture(scope="module")
def window_keys(qapp, tmp_path_factory) -> set[str]:
    """Every key sequence a new main window reacts to: its shortcuts and its actions' shortcuts (menus
    included). Read from one window for the whole module: the tests only look them up."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from annotator.gui.main_window import MainWindow
    from annotator.gui.settings import AppSettings

    ini = tmp_path_factory.mktemp("settings") / "settings.ini"
    with pytest.MonkeyPatch.context() as patch:  # the per-test private home is not set up yet at module scope
        patch.setenv("ANNOTATOR_HOME", str(tmp_path_factory.mktemp("home")))
        win = MainWindow(AppSettings(QSettings(str(ini), QSettings.Format.IniFormat)), "alice")
        try:
            seqs: list[QKeySequence] = [sc.key() for sc in win.findChildren(QShortcut)]
            for action in win.findChildren(QAction):
                seqs += list(action.shortcuts())
            return {s.toString(QKeySequence.SequenceFormat.PortableText) for s in seqs if not s.isEmpty()}
        finally:
            win.close()
            win.deleteLater()


def normal(key: str) -> str:
    from PySide6.QtGui import QKeySequence

    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


@pytest.mark.parametrize("key", documented_keys())
def test_documented_key_is_bound(window_keys, key: str) -> None:
    assert normal(key), f"{key!r} is not a key Qt can read"
    assert normal(key) in window_keys, f"the guide lists {key!r}, which the main window does not bind"


def test_an_unbound_key_would_be_caught(window_keys) -> None:
    assert normal("Ctrl+Shift+Q") not in window_keys


def adjudication_keys() -> list[str]:
    """The keys of the adjudication table in the lead's guide (Esc is the dialog's own close key)."""
    text = guide_text("team-leads.md")
    section = text.split("## Disagreements, adjudication and gold", 1)[1].split("\n## ", 1)[0]
    return [k for k in table_keys(section) if k != "Esc"]


def test_adjudication_keys_are_bound(qtbot, tmp_path: Path) -> None:
    from PySide6.QtGui import QShortcut

    from annotator.core.store import Project
    from annotator.core.taxonomy import load_taxonomy
    from annotator.gui.adjudication import AdjudicationDialog, GoldDecisions

    keys = adjudication_keys()
    assert {"m", "Enter", "Ctrl+Enter", "n", "p", "Ctrl+Z", "1", "9"} <= set(keys)
    with Project.create(str(tmp_path / "p.sqlite"), taxonomies=[load_taxonomy("rift")]) as project:
        decisions = GoldDecisions(project, project.taxonomies.get("rift"), "alice")
        dialog = AdjudicationDialog(project, decisions, [], 0)
        qtbot.addWidget(dialog)
        bound = {normal(sc.key().toString()) for sc in dialog.findChildren(QShortcut)}
        missing = [k for k in keys if normal(k) not in bound]
        assert not missing, f"the guide lists adjudication keys the dialog does not bind: {missing}"
