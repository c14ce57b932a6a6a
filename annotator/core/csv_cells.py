"""CSV cells that are safe to open in a spreadsheet, and read back unchanged.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by spreadsheet
programs; export prefixes such cells with an apostrophe (numbers like `-1` and `+1` stay as they are, since
they are data, not formulas) and import takes the apostrophe away again.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(_FORMULA_START) and not _NUMBER.match(value[1:]):
        return value[1:]
    return value
