"""The formats `--format` can name, found as the modules of the `adapters` package, and how `auto` tells them
apart: each adapter is asked, in its order, whether a record (or a CSV header) has its shape.

Nothing here names a format: a new format is one new module in `adapters` that declares `ADAPTER`.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from . import adapters as _package
from .adapter import Adapter


def discover(package: ModuleType) -> dict[str, Adapter]:
    """Every `ADAPTER` declared by a module of `package`, by name, in the order they are asked."""
    found: list[Adapter] = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        adapter = getattr(module, "ADAPTER", None)
        if isinstance(adapter, Adapter):
            found.append(adapter)
    found.sort(key=lambda a: (a.order, a.name))
    names = [a.name for a in found]
    repeated = {n for n in names if names.count(n) > 1}
    if repeated:
        raise RuntimeError(f"two adapters share the name {', '.join(sorted(repeated))}")
    return {a.name: a for a in found}


FORMATS: dict[str, Adapter] = discover(_package)


def format_of_record(record: dict[str, Any]) -> str | None:
    """The first format (in the adapters' order) whose published fields this record has, or None."""
    return next((a.name for a in FORMATS.values() if a.detect(record)), None)


def format_of_header(columns: list[str]) -> str | None:
    """The format whose CSV columns this header uses (beyond the id, source and meta every format may have)."""
    given = set(columns) - {"id", "source", "meta"}
    return next((a.name for a in FORMATS.values() if a.reads_csv and given & set(a.csv_columns)), None)


def format_help() -> str:
    """One line per format for `--format` help: its name and the fields that identify it."""
    return "; ".join(f"{a.name} ({', '.join(a.fields)})" for a in FORMATS.values())
