"""The registry asks the adapters: a new format is one module in `formats/adapters` (plus its test), and
detection, `--format` names and help, and CSV header checks all come from what that module declares."""

from __future__ import annotations

import importlib
import pkgutil
import re
import textwrap
from pathlib import Path

import pytest

from annotator.core.formats import adapters, registry
from annotator.core.formats.adapter import Adapter
from annotator.core.formats.reader import read_records

TOY = textwrap.dedent('''
    """A made-up format, to show that a module in the adapters package is all a format needs."""
    from annotator.core.formats.adapter import Adapter, rubric_item
    from annotator.core.model import Criterion, Record


    def convert(raw, ctx):
        item = rubric_item(None, raw, "toy", raw["ask"], [Criterion(id="c1", text=raw["check"])], {})
        return Record(item=item, line=ctx.line)


    ADAPTER = Adapter(name="toy", description="a toy format", convert=convert, fields=("ask", "check"),
                      detect=lambda record: {"ask", "check"} <= set(record), order=70)
''')


def test_every_adapter_module_is_registered_under_its_own_name() -> None:
    modules = [info.name for info in pkgutil.iter_modules(adapters.__path__)]
    declared = {importlib.import_module(f"{adapters.__name__}.{m}").ADAPTER.name for m in modules}
    assert declared == set(registry.FORMATS) and len(modules) == len(registry.FORMATS)
    assert all(isinstance(a, Adapter) and a.fields for a in registry.FORMATS.values())


def test_no_shared_file_names_a_format() -> None:
    """Registry, reader and command line take every format from the adapters, so none lists them."""
    core = Path(registry.__file__).parent
    shared = [core / "registry.py", core / "reader.py", core.parent.parent / "cli.py"]
    names = [n for n in registry.FORMATS if n not in ("items",)]
    for path in shared:
        text = path.read_text(encoding="utf-8")
        named = [n for n in names if re.search(rf"[\"']{re.escape(n)}[\"']", text)]
        assert not named, f"{path.name} names {named}"


def test_a_new_module_is_a_new_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "toy.py").write_text(TOY, encoding="utf-8")
    monkeypatch.setattr(adapters, "__path__", [*adapters.__path__, str(extra)])
    found = registry.discover(adapters)
    assert "toy" in found and list(found).index("toy") < list(found).index("items")
    for name, adapter in found.items():
        monkeypatch.setitem(registry.FORMATS, name, adapter)
    data = tmp_path / "toy.jsonl"
    data.write_text('{"ask": "Say hi.", "check": "Says hi"}\n', encoding="utf-8")
    chosen: list[str] = []
    [record] = read_records(data, chosen=chosen.append)
    assert chosen == ["toy"] and record.item.source == "toy" and record.item.criteria[0].text == "Says hi"
    assert "toy (ask, check)" in registry.format_help()


def test_two_adapters_with_one_name_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "twice"
    extra.mkdir()
    (extra / "toy_a.py").write_text(TOY, encoding="utf-8")
    (extra / "toy_b.py").write_text(TOY, encoding="utf-8")
    monkeypatch.setattr(adapters, "__path__", [*adapters.__path__, str(extra)])
    with pytest.raises(RuntimeError, match="toy"):
        registry.discover(adapters)


def test_csv_header_checks_ask_the_adapter(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("id,kind,prompt,criteria,colour\nr1,rubric,Say hi.,- Says hi\n", encoding="utf-8")
    from annotator.core.errors import InputError

    with pytest.raises(InputError) as caught:
        list(read_records(path))
    messages = [str(p) for p in caught.value.problems]
    assert any("colour: unknown column; the columns are id, kind, source" in m for m in messages)
